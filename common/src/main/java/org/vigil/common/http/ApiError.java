package org.vigil.common.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The one JSON error shape of the REST API: {@code {"error": code, "message": text, "field": name?}}.
 * A client can act on {@code error} and {@code field} without parsing prose.
 */
public final class ApiError {

    private ApiError() {
    }

    public static void send(RoutingContext ctx, int status, String error, String message, String field) {
        JsonObject body = new JsonObject().put("error", error).put("message", message);
        if (field != null) {
            body.put("field", field);
        }
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body.encode());
    }

    public static void badRequest(RoutingContext ctx, String field, String message) {
        send(ctx, 400, "invalid_request", message, field);
    }

    public static void notFound(RoutingContext ctx, String what) {
        send(ctx, 404, "not_found", what + " not found", null);
    }

    public static void conflict(RoutingContext ctx, String field, String message) {
        send(ctx, 409, "conflict", message, field);
    }
}
