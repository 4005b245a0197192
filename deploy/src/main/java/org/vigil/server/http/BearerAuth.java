package org.vigil.server.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.http.ApiError;
import org.vigil.common.http.Principal;
import org.vigil.registry.auth.DoctorTokens;

/**
 * Requires {@code Authorization: Bearer <token>} on every API request: the admin token (compared in
 * constant time) makes the caller an administrator, a doctor's own token makes her that doctor, anything
 * else is 401. What each caller may then see is decided by the handlers from the {@link Principal}.
 */
final class BearerAuth implements Handler<RoutingContext> {

    private static final Logger LOG = LoggerFactory.getLogger(BearerAuth.class);
    private static final String PREFIX = "Bearer ";

    private final byte[] adminToken;
    private final DoctorTokens doctorTokens;

    BearerAuth(String adminToken, DoctorTokens doctorTokens) {
        this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
        this.doctorTokens = Objects.requireNonNull(doctorTokens, "doctorTokens");
    }

    @Override
    public void handle(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"vigil\"");
            ApiError.send(ctx, 401, "unauthorized", "send Authorization: Bearer <token>", null);
            return;
        }
        String presented = header.substring(PREFIX.length()).trim();
        if (MessageDigest.isEqual(adminToken, presented.getBytes(StandardCharsets.UTF_8))) {
            Principal.set(ctx, Principal.ADMIN);
            ctx.next();
            return;
        }
        // The body handler ran first, so pausing is not needed while the token is looked up.
        doctorTokens.doctorFor(presented).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("Cannot check a doctor token: {}", ar.cause().toString());
                ApiError.send(ctx, 503, "unavailable", "authentication is unavailable, try again", null);
            } else if (ar.result().isEmpty()) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"vigil\", error=\"invalid_token\"");
                ApiError.send(ctx, 401, "unauthorized", "the token is not valid", null);
            } else {
                Principal.set(ctx, Principal.doctor(ar.result().get()));
                ctx.next();
            }
        });
    }
}
