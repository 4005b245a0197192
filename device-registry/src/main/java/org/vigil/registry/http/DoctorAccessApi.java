package org.vigil.registry.http;

import static org.vigil.registry.http.Handlers.admin;
import static org.vigil.registry.http.Handlers.created;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.Json;
import org.vigil.common.http.Principal;
import org.vigil.registry.auth.DoctorTokens;
import org.vigil.registry.config.RegistryConfig;
import org.vigil.registry.model.DeviceSecrets;
import org.vigil.registry.store.DoctorAccessStore;

/**
 * Giving doctors access and taking it back, for operations staff: tokens with an expiry, their revocation, and
 * deactivating (and reactivating) a doctor. Each withdrawal is announced so every node stops accepting the token
 * and closes the doctor's live feeds at once.
 */
final class DoctorAccessApi {

    private final Handlers h;
    private final DoctorAccessStore store;
    private final DeviceSecrets secrets;
    private final Duration maxLifetime;
    private final Clock clock;

    DoctorAccessApi(Handlers handlers, DoctorAccessStore store, DeviceSecrets secrets, RegistryConfig config,
            Clock clock) {
        this.h = handlers;
        this.store = store;
        this.secrets = secrets;
        this.maxLifetime = config.tokenLifetime();
        this.clock = clock;
    }

    void mount(Router api) {
        api.post("/doctors/:id/tokens").handler(admin(this::issue));
        api.get("/doctors/:id/tokens").handler(admin(ctx -> {
            long doctorId = Json.pathId(ctx, "id", "doctor");
            Instant now = clock.instant();
            h.page(ctx, (after, limit) -> store.tokens(doctorId, now, after, limit));
        }));
        api.post("/doctors/:id/tokens/:tokenId/revoke").handler(admin(ctx -> {
            long doctorId = Json.pathId(ctx, "id", "doctor");
            long tokenId = Json.pathId(ctx, "tokenId", "token");
            String actor = Principal.of(ctx).name();
            h.ok(ctx, announced(h.blocking(() -> store.revokeToken(doctorId, tokenId, clock.instant(), actor)),
                    doctorId, "token_revoked"));
        }));
        api.post("/doctors/:id/deactivate").handler(admin(ctx -> setActive(ctx, false)));
        api.post("/doctors/:id/reactivate").handler(admin(ctx -> setActive(ctx, true)));
    }

    /** A new API token for a doctor, shown once and stored as its hash, valid for the lifetime asked for. */
    private void issue(RoutingContext ctx) {
        long doctorId = Json.pathId(ctx, "id", "doctor");
        Duration lifetime = lifetime(Json.optionalBody(ctx));
        String token = DoctorTokens.PREFIX + secrets.newSecret();
        byte[] hash = DoctorTokens.hash(token);
        String actor = Principal.of(ctx).name();
        Instant now = clock.instant();
        created(ctx, h.blocking(() -> store.issueToken(doctorId, hash, now, now.plus(lifetime), actor))
                .map(json -> json.copy().put("token", token)));
    }

    private void setActive(RoutingContext ctx, boolean active) {
        long doctorId = Json.pathId(ctx, "id", "doctor");
        String actor = Principal.of(ctx).name();
        h.ok(ctx, announced(h.blocking(() -> store.setActive(doctorId, active, clock.instant(), actor)), doctorId,
                active ? "reactivated" : "deactivated"));
    }

    /**
     * {@code lifetime}: an ISO-8601 duration ({@code P30D}, {@code PT8H}) from a minute up to the configured
     * lifetime, which is also the default: an administrator may issue a shorter token, never a longer one.
     */
    private Duration lifetime(JsonObject body) {
        Object value = body.getValue("lifetime");
        if (value == null) {
            return maxLifetime;
        }
        String message = "lifetime must be an ISO-8601 duration from PT1M to " + maxLifetime;
        if (!(value instanceof String text) || text.length() > 40) {
            throw ApiException.invalid("lifetime", message);
        }
        Duration lifetime;
        try {
            lifetime = Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiException.invalid("lifetime", message);
        }
        if (lifetime.compareTo(RegistryConfig.MIN_TOKEN_LIFETIME) < 0 || lifetime.compareTo(maxLifetime) > 0) {
            throw ApiException.invalid("lifetime", message);
        }
        return lifetime;
    }

    /** Every node drops the doctor's cached tokens and, for a withdrawal, closes her live feeds. */
    private Future<JsonObject> announced(Future<JsonObject> result, long doctorId, String change) {
        return result.map(json -> {
            JsonObject event = new JsonObject().put("kind", "doctor").put("doctorId", doctorId).put("change", change);
            if ("token_revoked".equals(change)) {
                event.put("tokenId", json.getLong("id"));
            }
            h.announce(event);
            return json;
        });
    }
}
