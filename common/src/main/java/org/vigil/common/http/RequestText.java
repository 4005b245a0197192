package org.vigil.common.http;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Keeps text the database cannot store out of requests. PostgreSQL refuses the NUL character in {@code text}
 * and {@code jsonb}, and a lone UTF-16 surrogate has no UTF-8 form at all; let through, either fails deep in a
 * store as a server error. So both are turned away at the edge as the client's error, a 400 naming the field:
 * every string of a JSON body (values and names, at any depth, since some objects are stored whole) and every
 * query parameter, whether or not a handler reads it.
 */
public final class RequestText {

    private static final String PROBLEM = "must be text without the NUL character (\\u0000) or unpaired surrogates";

    private RequestText() {
    }

    /**
     * Checks every string in a request body. A field is named by its path, as care-plan errors are:
     * {@code name}, {@code conditions[1]}, {@code expected[0].note}.
     */
    public static void checkBody(JsonObject body) {
        check(body, null);
    }

    /**
     * Router handler, ahead of the routes: checks every query parameter, then passes the request on. A query
     * string whose percent-encoding does not decode ({@code %zz}) is the client's error too.
     */
    public static void checkQuery(RoutingContext ctx) {
        MultiMap params;
        try {
            params = ctx.queryParams();
        } catch (HttpException | IllegalArgumentException e) {
            // Vert.x reports a query it cannot decode as an HTTP 400 without saying where.
            String name = undecodable(ctx.request().query());
            throw ApiException.invalid(name, (name == null ? "the query string" : name) + " is not valid percent-encoding");
        }
        for (Map.Entry<String, String> param : params) {
            if (!storable(param.getKey())) {
                throw ApiException.invalid(printable(param.getKey()), "query parameter names " + PROBLEM);
            }
            if (!storable(param.getValue())) {
                throw ApiException.invalid(param.getKey(), param.getKey() + " " + PROBLEM);
            }
        }
        ctx.next();
    }

    private static void check(Object value, String path) {
        if (value instanceof String s) {
            if (!storable(s)) {
                throw ApiException.invalid(path, path + " " + PROBLEM);
            }
        } else if (value instanceof JsonObject object) {
            for (Map.Entry<String, Object> field : object) {
                String name = path == null ? field.getKey() : path + "." + field.getKey();
                if (!storable(field.getKey())) {
                    throw ApiException.invalid(printable(name), "field names " + PROBLEM);
                }
                check(field.getValue(), name);
            }
        } else if (value instanceof JsonArray array) {
            for (int i = 0; i < array.size(); i++) {
                check(array.getValue(i), path + "[" + i + "]");
            }
        }
    }

    /** Whether PostgreSQL stores this text as sent: no NUL, and every surrogate in a pair. */
    static boolean storable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return false;
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** The name with what cannot be stored written as a JSON-style escape, so an error can name it. */
    static String printable(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < name.length()
                    && Character.isLowSurrogate(name.charAt(i + 1));
            if (pair) {
                sb.append(c).append(name.charAt(++i));
            } else if (c == 0 || Character.isSurrogate(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The name of the first query parameter that does not decode, or {@code null} when none can be told. */
    private static String undecodable(String query) {
        if (query == null) {
            return null;
        }
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : part.substring(0, eq);
            try {
                URLDecoder.decode(part, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                try {
                    return printable(URLDecoder.decode(name, StandardCharsets.UTF_8));
                } catch (IllegalArgumentException nameItself) {
                    return null;
                }
            }
        }
        return null;
    }
}
