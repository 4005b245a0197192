package org.vigil.server.http;

import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.http.ApiError;
import org.vigil.common.http.Principal;
import org.vigil.registry.auth.AccessRefusals;
import org.vigil.registry.auth.ConsoleSessions;
import org.vigil.registry.auth.DoctorTokens;
import org.vigil.registry.auth.Refusal;

/**
 * Requires {@code Authorization: Bearer <token>} on every API request: the admin token (compared in
 * constant time) makes the caller an administrator, a doctor's own valid token makes her that doctor, anything
 * else is 401, counted and audited by reason (missing, unknown, expired, revoked, doctor deactivated). What each
 * caller may then see is decided by the handlers from the {@link Principal}.
 *
 * <p>Without that header, the console's session cookie ({@value #SESSION_COOKIE}) is accepted instead. A doctor's
 * session token is one of her doctor tokens and goes through the very same check, so it yields the same
 * {@link Principal} and the same rules; a named administrator's session is checked by {@link ConsoleSessions}.
 * A cookie is sent by the browser on its own, so a change made with one (any method but GET and HEAD) must also
 * carry the session's CSRF token in {@value #CSRF_HEADER}, which only a page of this origin can know: without it
 * the request is 403. Bearer requests need none (nothing sends a bearer token on its own).
 */
final class BearerAuth implements Handler<RoutingContext> {

    private static final Logger LOG = LoggerFactory.getLogger(BearerAuth.class);
    private static final String PREFIX = "Bearer ";
    static final String SESSION_COOKIE = "vigil_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    /** The session token on the routing context, for the session endpoints. */
    static final String SESSION_KEY = "vigil.session";

    private final byte[] adminToken;
    private final DoctorTokens doctorTokens;
    private final AccessRefusals refusals;
    private final ConsoleSessions sessions;

    BearerAuth(String adminToken, DoctorTokens doctorTokens, ConsoleSessions sessions, AccessRefusals refusals) {
        this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.doctorTokens = Objects.requireNonNull(doctorTokens, "doctorTokens");
        this.refusals = Objects.requireNonNull(refusals, "refusals");
    }

    @Override
    public void handle(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        Cookie cookie = header == null ? ctx.request().getCookie(SESSION_COOKIE) : null;
        if (cookie != null && !cookie.getValue().isEmpty()) {
            session(ctx, cookie.getValue());
            return;
        }
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
        doctor(ctx, presented);
    }

    /** A console session: the CSRF token first for a change, then the session as a doctor's or an admin's. */
    private void session(RoutingContext ctx, String token) {
        HttpMethod method = ctx.request().method();
        if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            String csrf = ctx.request().getHeader(CSRF_HEADER);
            if (csrf == null || !MessageDigest.isEqual(csrf.getBytes(StandardCharsets.UTF_8),
                    ConsoleSessions.csrfToken(token).getBytes(StandardCharsets.UTF_8))) {
                refusals.refused(new Refusal(Refusal.Reason.FORBIDDEN, Refusal.ANONYMOUS, "endpoint", null, null,
                        HttpApiVerticle.remote(ctx), method + " " + ctx.request().path()));
                ApiError.send(ctx, 403, "forbidden", "a change made with the session cookie needs the "
                        + CSRF_HEADER + " header", null);
                return;
            }
        }
        ctx.put(SESSION_KEY, token);
        if (!token.startsWith(ConsoleSessions.ADMIN_PREFIX)) {
            doctor(ctx, token);
            return;
        }
        sessions.checkAdmin(token).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("Cannot check a console session: {}", ar.cause().toString());
                Unavailable.send(ctx, "authentication is unavailable, try again");
            } else if (ar.result().isPresent()) {
                Principal.set(ctx, ar.result().get());
                ctx.next();
            } else {
                refuse(ctx, Refusal.Reason.UNKNOWN_TOKEN, Refusal.ANONYMOUS, null, "the session has ended; sign in again");
            }
        });
    }

    /** A doctor's token, from the Authorization header or her console session: one check for both. */
    private void doctor(RoutingContext ctx, String presented) {
        // The body handler ran first, so pausing is not needed while the token is looked up.
        doctorTokens.check(presented).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("Cannot check a doctor token: {}", ar.cause().toString());
                Unavailable.send(ctx, "authentication is unavailable, try again");
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
