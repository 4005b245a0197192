package org.vigil.common.http;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reading and checking request input; every failure is an {@link ApiException} naming the field. A body's text is
 * checked as a whole when it is read ({@link RequestText}); times are bounded to {@link #EARLIEST} ..
 * {@link #END}.
 */
public final class Json {

    /**
     * The earliest time a request may name. Vigil records contracts, bindings and readings of living patients, so
     * a time before 1900 or from 2200 on is a typo (a digit too many, a year {@code +99999}); PostgreSQL would
     * store some such times and fail on others (before 4713 BC) as a server error.
     */
    public static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");
    /** The first time a request may no longer name: times run to the end of 2199. */
    public static final Instant END = Instant.parse("2200-01-01T00:00:00Z");

    private Json() {
    }

    /** The request body as a JSON object. */
    public static JsonObject body(RoutingContext ctx) {
        String text = ctx.body() == null ? null : ctx.body().asString();
        if (text == null || text.isBlank()) {
            throw ApiException.invalid(null, "request body must be a JSON object");
        }
        try {
            Object parsed = io.vertx.core.json.Json.decodeValue(text);
            if (parsed instanceof JsonObject object) {
                RequestText.checkBody(object);
                return object;
            }
        } catch (DecodeException e) {
            throw ApiException.invalid(null, "request body is not valid JSON");
        }
        throw ApiException.invalid(null, "request body must be a JSON object");
    }

    /**
     * The request body as a JSON object, or an empty one when the request has none (Vert.x reports no body as
     * null text, not as an empty buffer): for requests whose every field is optional.
     */
    public static JsonObject optionalBody(RoutingContext ctx) {
        String text = ctx.body() == null ? null : ctx.body().asString();
        return text == null || text.isBlank() ? new JsonObject() : body(ctx);
    }

    public static String requiredString(JsonObject json, String field, int maxLength) {
        Object value = json.getValue(field);
        if (value == null) {
            throw ApiException.invalid(field, field + " is required");
        }
        if (!(value instanceof String s)) {
            throw ApiException.invalid(field, field + " must be a string");
        }
        String trimmed = s.trim();
        if (trimmed.isEmpty()) {
            throw ApiException.invalid(field, field + " must not be blank");
        }
        if (trimmed.length() > maxLength) {
            throw ApiException.invalid(field, field + " must be at most " + maxLength + " characters");
        }
        return trimmed;
    }

    public static long requiredId(JsonObject json, String field) {
        Object value = json.getValue(field);
        if (value == null) {
            throw ApiException.invalid(field, field + " is required");
        }
        if (value instanceof Number n && n.doubleValue() == n.longValue() && n.longValue() > 0) {
            return n.longValue();
        }
        Long id = value instanceof String s ? positiveId(s) : null;
        if (id != null) {
            return id;
        }
        throw ApiException.invalid(field, field + " must be a positive integer id");
    }

    public static JsonArray requiredArray(JsonObject json, String field) {
        Object value = json.getValue(field);
        if (value == null) {
            throw ApiException.invalid(field, field + " is required");
        }
        if (!(value instanceof JsonArray array)) {
            throw ApiException.invalid(field, field + " must be an array");
        }
        return array;
    }

    /** A path or query id; an id that is not a positive number cannot name anything, so it is 404. */
    public static long pathId(RoutingContext ctx, String param, String what) {
        String raw = ctx.pathParam(param);
        Long id = positiveId(raw);
        if (id != null) {
            return id;
        }
        throw ApiException.notFound(what + " " + raw);
    }

    /** The positive integer id written as {@code raw}, or {@code null} when it is none. */
    private static Long positiveId(String raw) {
        try {
            long id = Long.parseLong(raw);
            return id > 0 ? id : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public static Long queryId(RoutingContext ctx, String param) {
        String raw = ctx.queryParams().get(param);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        Long id = positiveId(raw);
        if (id != null) {
            return id;
        }
        throw ApiException.invalid(param, param + " must be a positive integer id");
    }

    public static int queryInt(RoutingContext ctx, String param, int defaultValue, int min, int max) {
        String raw = ctx.queryParams().get(param);
        if (raw == null || raw.isBlank()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // falls through
        }
        throw ApiException.invalid(param, param + " must be a whole number from " + min + " to " + max);
    }

    /** A time given as epoch milliseconds or ISO-8601, or {@code null} when absent. */
    public static Instant queryInstant(RoutingContext ctx, String param) {
        String raw = ctx.queryParams().get(param);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            if (raw.chars().allMatch(Character::isDigit)) {
                return bounded(Instant.ofEpochMilli(Long.parseLong(raw)), param);
            }
            return bounded(Instant.parse(raw), param);
        } catch (NumberFormatException | DateTimeParseException e) {
            throw ApiException.invalid(param, param + " must be epoch milliseconds or an ISO-8601 instant");
        }
    }

    /** A body's time given as ISO-8601 text or epoch milliseconds; absent means {@code fallback}. */
    public static Instant instant(JsonObject body, String field, Instant fallback) {
        Object value = body.getValue(field);
        if (value == null) {
            return fallback;
        }
        try {
            if (value instanceof Number n && n.doubleValue() == n.longValue()) {
                return bounded(Instant.ofEpochMilli(n.longValue()), field);
            }
            if (value instanceof String s) {
                return bounded(Instant.parse(s), field);
            }
        } catch (DateTimeParseException e) {
            // falls through
        }
        throw ApiException.invalid(field, field + " must be an ISO-8601 instant or epoch milliseconds");
    }

    private static Instant bounded(Instant time, String field) {
        if (time.isBefore(EARLIEST) || !time.isBefore(END)) {
            throw ApiException.invalid(field, field + " must fall in the years 1900 to 2199");
        }
        return time;
    }
}
