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
import org.vigil.registry.auth.AccessRefusals;
import org.vigil.registry.auth.DoctorTokens;
import org.vigil.registry.auth.Refusal;

/**
 * Requires {@code Authorization: Bearer <token>} on every API request: the admin token (compared in
 * constant time) makes the caller an administrator, a doctor's own valid token makes her that doctor, anything
 * else is 401, counted and audited by reason (missing, unknown, expired, revoked, doctor deactivated). What each
 * caller may then see is decided by the handlers from the {@link Principal}.
 */
final class BearerAuth implements Handler<RoutingContext> {

    private static final Logger LOG = LoggerFactory.getLogger(BearerAuth.class);
    private static final String PREFIX = "Bearer ";

    private final byte[] adminToken;
    private final DoctorTokens doctorTokens;
    private final AccessRefusals refusals;

    BearerAuth(String adminToken, DoctorTokens doctorTokens, AccessRefusals refusals) {
        this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
        this.doctorTokens = Objects.requireNonNull(doctorTokens, "doctorTokens");
        this.refusals = Objects.requireNonNull(refusals, "refusals");
    }

    @Override
    public void handle(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            refuse(ctx, Refusal.Reason.MISSING_TOKEN, Refusal.ANONYMOUS, null, "send Authorization: Bearer <token>");
            return;
        }
        String presented = header.substring(PREFIX.length()).trim();
        if (MessageDigest.isEqual(adminToken, presented.getBytes(StandardCharsets.UTF_8))) {
            Principal.set(ctx, Principal.ADMIN);
            ctx.next();
            return;
        }
        // The body handler ran first, so pausing is not needed while the token is looked up.
        doctorTokens.check(presented).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("Cannot check a doctor token: {}", ar.cause().toString());
                ApiError.send(ctx, 503, "unavailable", "authentication is unavailable, try again", null);
                return;
            }
            DoctorTokens.Check check = ar.result();
            switch (check.outcome()) {
                case VALID -> {
                    Principal.set(ctx, Principal.doctor(check.doctorId(), check.tokenId(), check.expiresAt()));
                    ctx.next();
                }
                case UNKNOWN -> refuse(ctx, Refusal.Reason.UNKNOWN_TOKEN, Refusal.ANONYMOUS, null,
                        "the token is not valid");
                case EXPIRED -> refuse(ctx, Refusal.Reason.EXPIRED_TOKEN, "doctor:" + check.doctorId(), check.tokenId(),
                        "the token has expired; ask an administrator for a new one");
                // Revoked and deactivated read the same to the caller: the holder may not be the doctor.
                case REVOKED -> refuse(ctx, Refusal.Reason.REVOKED_TOKEN, "doctor:" + check.doctorId(), check.tokenId(),
                        "the token is not valid");
                case DEACTIVATED -> refuse(ctx, Refusal.Reason.DOCTOR_DEACTIVATED, "doctor:" + check.doctorId(),
                        check.tokenId(), "the token is not valid");
            }
        });
    }

    private void refuse(RoutingContext ctx, Refusal.Reason reason, String actor, Long tokenId, String message) {
        refusals.refused(new Refusal(reason, actor, "token", tokenId, null, HttpApiVerticle.remote(ctx),
                ctx.request().method() + " " + ctx.request().path()));
        ctx.response().putHeader("WWW-Authenticate", reason == Refusal.Reason.MISSING_TOKEN
                ? "Bearer realm=\"vigil\"" : "Bearer realm=\"vigil\", error=\"invalid_token\"");
        ApiError.send(ctx, 401, "unauthorized", message, null);
    }
}
