package org.vigil.registry.http;

import static org.vigil.registry.http.Handlers.admin;
import static org.vigil.registry.http.Handlers.created;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.Json;
import org.vigil.common.http.Principal;
import org.vigil.registry.auth.ConsoleSessions;
import org.vigil.registry.auth.DoctorTokens;
import org.vigil.registry.model.DeviceSecrets;
import org.vigil.registry.store.AccountStore;

/**
 * Console accounts, for operations staff: an account for a doctor or a named administrator, created without a
 * password and handed a one-time set-password link ({@code setPasswordPath}, shown once, its token stored as a hash);
 * a new link when one is lost; an administrator's account deactivated (a doctor's follows her doctor record).
 */
record AccountsApi(Handlers h, AccountStore store, DeviceSecrets secrets, Duration linkLifetime, Clock clock) {

    private static final Pattern LOGIN = Pattern.compile("[A-Za-z0-9._@-]{3,64}");

    void mount(Router api) {
        api.post("/accounts").handler(admin(this::create));
        api.get("/accounts").handler(admin(ctx -> h.page(ctx, store::accounts)));
        api.post("/accounts/:id/setup-link").handler(admin(ctx -> {
            long id = Json.pathId(ctx, "id", "account");
            String token = newToken();
            String actor = Principal.of(ctx).name();
            Instant expiresAt = clock.instant().plus(linkLifetime);
            h.ok(ctx, h.blocking(() -> store.newSetupLink(id, DoctorTokens.hash(token), expiresAt, actor))
                    .map(json -> withLink(json, token, expiresAt)));
        }));
        api.post("/accounts/:id/deactivate").handler(admin(ctx -> setActive(ctx, false)));
        api.post("/accounts/:id/reactivate").handler(admin(ctx -> setActive(ctx, true)));
    }

    private void create(RoutingContext ctx) {
        JsonObject body = Json.body(ctx);
        String login = Json.requiredString(body, "login", 64);
        if (!LOGIN.matcher(login).matches()) {
            throw ApiException.invalid("login", "login must be 3 to 64 letters, digits or . _ @ -");
        }
        String name = Json.requiredString(body, "name", Handlers.NAME_MAX);
        Long doctorId = Handlers.optionalId(body, "doctorId");
        String token = newToken();
        String actor = Principal.of(ctx).name();
        Instant now = clock.instant();
        Instant expiresAt = now.plus(linkLifetime);
        created(ctx, h.blocking(() -> store.create(login, name, doctorId, DoctorTokens.hash(token), expiresAt, now, actor))
                .map(json -> withLink(json, token, expiresAt)));
    }

    private void setActive(RoutingContext ctx, boolean active) {
        long id = Json.pathId(ctx, "id", "account");
        String actor = Principal.of(ctx).name();
        h.ok(ctx, h.blocking(() -> store.setAdminActive(id, active, clock.instant(), actor)));
    }

    private String newToken() {
        return ConsoleSessions.SETUP_PREFIX + secrets.newSecret();
    }

    /** The link goes in the fragment, so the token never reaches a server log or a Referer header. */
    private static JsonObject withLink(JsonObject account, String token, Instant expiresAt) {
        return account.copy().put("setPasswordPath", "/#/set-password/" + token)
                .put("setPasswordExpiresAt", expiresAt.toString());
    }
}
