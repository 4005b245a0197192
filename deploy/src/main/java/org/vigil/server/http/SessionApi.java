package org.vigil.server.http;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import org.vigil.common.http.ApiError;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.Json;
import org.vigil.common.http.Principal;
import org.vigil.registry.auth.ConsoleSessions;
import org.vigil.registry.auth.Passwords;

/**
 * The console's session: sign in with login and password ({@code POST /session}, which sets the session cookie:
 * {@code HttpOnly}, {@code SameSite=Strict}, {@code Secure} over HTTPS), set a password through a one-time link
 * ({@code POST /session/password}), who am I ({@code GET /session}, with the CSRF token the page must send with
 * every change), and sign out ({@code DELETE /session}). The first two are mounted before authentication.
 *
 * @param zone the patients' zone, named to the page so its calendar is the county's, not the laptop's
 */
record SessionApi(ConsoleSessions sessions, Clock clock, ZoneId zone) {

    /** The routes that need no session: signing in and setting a password. */
    void mountOpen(Router api) {
        api.post("/session").handler(this::signIn);
        api.post("/session/password").handler(this::setPassword);
    }

    /** The routes of a signed-in caller. */
    void mountAuthenticated(Router api) {
        api.get("/session").handler(ctx -> ctx.json(me(Principal.of(ctx), ctx.get(BearerAuth.SESSION_KEY))));
        api.delete("/session").handler(this::signOut);
    }

    private void signIn(RoutingContext ctx) {
        JsonObject body = Json.body(ctx);
        String login = Json.requiredString(body, "login", 64);
        String password = Json.requiredString(body, "password", Passwords.MAX_LENGTH);
        sessions.signIn(login, password, HttpApiVerticle.remote(ctx)).onSuccess(result -> {
            switch (result.outcome()) {
                case SIGNED_IN -> {
                    Duration left = Duration.between(clock.instant(), result.expiresAt());
                    ctx.response().addCookie(cookie(ctx, result.token()).setMaxAge(left.toSeconds()));
                    ctx.json(me(result.principal(), result.token()));
                }
                case LOCKED -> {
                    long seconds = Math.max(1, Duration.between(clock.instant(), result.retryAfter()).toSeconds());
                    ctx.response().putHeader("Retry-After", Long.toString(seconds));
                    ApiError.send(ctx, 429, "too_many_requests", "too many failed sign-ins; try again after "
                            + result.retryAfter(), null);
                }
                case BAD_CREDENTIALS -> ApiError.send(ctx, 401, "unauthorized", "wrong login or password", null);
            }
        }).onFailure(ctx::fail);
    }

    private void setPassword(RoutingContext ctx) {
        JsonObject body = Json.body(ctx);
        String token = Json.requiredString(body, "token", 200);
        String password = Json.requiredString(body, "password", Passwords.MAX_LENGTH);
        if (password.codePointCount(0, password.length()) < Passwords.MIN_LENGTH) {
            throw ApiException.invalid("password", "password must have at least " + Passwords.MIN_LENGTH
                    + " characters");
        }
        sessions.setPassword(token, password).onSuccess(set -> {
            if (set) {
                ctx.response().setStatusCode(204).end();
            } else {
                ctx.fail(ApiException.invalid("token", "the link is unknown, used or expired; ask for a new one"));
            }
        }).onFailure(ctx::fail);
    }

    private void signOut(RoutingContext ctx) {
        String token = ctx.get(BearerAuth.SESSION_KEY);
        if (token == null) {
            throw ApiException.invalid(null, "only a console session signs out; revoke a token instead");
        }
        sessions.signOut(Principal.of(ctx), token).onSuccess(v -> {
            ctx.response().addCookie(cookie(ctx, "").setMaxAge(0));
            ctx.response().setStatusCode(204).end();
        }).onFailure(ctx::fail);
    }

    private static Cookie cookie(RoutingContext ctx, String value) {
        return Cookie.cookie(BearerAuth.SESSION_COOKIE, value).setPath("/").setHttpOnly(true)
                .setSameSite(CookieSameSite.STRICT).setSecure(ctx.request().isSSL());
    }

    /** Who the caller is, the patients' zone, and the CSRF token when she came with a session. */
    private JsonObject me(Principal who, String sessionToken) {
        JsonObject me = new JsonObject().put("name", who.name()).put("admin", who.admin()).put("zone", zone.getId());
        if (who.doctorId() != null) {
            me.put("doctorId", who.doctorId());
        }
        if (who.expiresAt() != null) {
            me.put("expiresAt", who.expiresAt().toString());
        }
        if (sessionToken != null) {
            me.put("csrfToken", ConsoleSessions.csrfToken(sessionToken));
        }
        return me;
    }
}
