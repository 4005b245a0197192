package org.vigil.server.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.vigil.common.http.ApiError;
import org.vigil.common.http.Principal;

/**
 * Requires {@code Authorization: Bearer <admin token>} on every API request; compares in constant time.
 */
final class AdminTokenAuth implements Handler<RoutingContext> {

    private static final String PREFIX = "Bearer ";

    private final byte[] token;

    AdminTokenAuth(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"vigil\"");
            ApiError.send(ctx, 401, "unauthorized", "send Authorization: Bearer <token>", null);
            return;
        }
        byte[] presented = header.substring(PREFIX.length()).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(token, presented)) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"vigil\", error=\"invalid_token\"");
            ApiError.send(ctx, 401, "unauthorized", "the token is not valid", null);
            return;
        }
        Principal.set(ctx, "admin");
        ctx.next();
    }
}
