package org.vigil.registry.http;

import static org.vigil.registry.http.Handlers.admin;
import static org.vigil.registry.http.Handlers.created;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.Json;
import org.vigil.common.http.Principal;
import org.vigil.registry.model.DeviceSecrets;
import org.vigil.registry.model.DeviceIdentity;
import org.vigil.registry.model.DeviceType;
import org.vigil.registry.store.DeviceStore;

/**
 * Devices: registration, binding to patients, secrets and revocation (operations staff), and reading them
 * (a doctor, for the patients she may see). Every change is announced so MQTT endpoints act on it at once.
 */
record DevicesApi(Handlers h, DeviceStore store, DeviceSecrets secrets, Clock clock) {

    void mount(Router api) {
        api.post("/devices").handler(admin(this::create));
        api.get("/devices").handler(ctx -> {
            Long patientId = Json.queryId(ctx, "patientId");
            Long scope = Principal.scope(ctx);
            h.page(ctx, (after, limit) -> store.devices(patientId, scope, after, limit));
        });
        api.get("/devices/:id").handler(ctx -> {
            long id = Json.pathId(ctx, "id", "device");
            Long scope = Principal.scope(ctx);
            h.one(ctx, "device", () -> store.device(id, scope));
        });
        api.patch("/devices/:id").handler(admin(ctx -> {
            long id = Json.pathId(ctx, "id", "device");
            JsonObject body = Json.body(ctx);
            String model = Handlers.optionalString(body, "model", 100);
            String firmware = Handlers.optionalString(body, "firmware", 100);
            String actor = Principal.of(ctx).name();
            h.ok(ctx, h.blocking(() -> store.update(id, model, firmware, actor)));
        }));
        api.post("/devices/:id/binding").handler(admin(ctx -> {
            long id = Json.pathId(ctx, "id", "device");
            JsonObject body = Json.body(ctx);
            long patientId = Json.requiredId(body, "patientId");
            Instant from = Json.instant(body, "from", clock.instant());
            String actor = Principal.of(ctx).name();
            h.ok(ctx, announced(h.blocking(() -> store.bind(id, patientId, from, actor)), "rebound"));
        }));
        api.post("/devices/:id/binding/end").handler(admin(ctx -> {
            long id = Json.pathId(ctx, "id", "device");
            JsonObject body = Json.optionalBody(ctx);
            Instant at = Json.instant(body, "at", clock.instant());
            String actor = Principal.of(ctx).name();
            h.ok(ctx, announced(h.blocking(() -> store.unbind(id, at, actor)), "unbound"));
        }));
        api.get("/devices/:id/bindings").handler(ctx -> {
            long id = Json.pathId(ctx, "id", "device");
            Long scope = Principal.scope(ctx);
            h.one(ctx, "device", () -> store.bindings(id, scope));
        });
        api.post("/devices/:id/secret").handler(admin(this::rotateSecret));
        api.post("/devices/:id/revoke").handler(admin(ctx -> {
            long id = Json.pathId(ctx, "id", "device");
            String actor = Principal.of(ctx).name();
            h.ok(ctx, announced(h.blocking(() -> store.revoke(id, actor)), "revoked"));
        }));
    }

    private void create(RoutingContext ctx) {
        JsonObject body = Json.body(ctx);
        String serial = Json.requiredString(body, "serial", 64);
        if (!DeviceIdentity.SERIAL.matcher(serial).matches()) {
            throw ApiException.invalid("serial", "serial may hold only letters, digits and . _ : - (at most 64)");
        }
        String type = Json.requiredString(body, "type", 40);
        if (DeviceType.NAMES.find(type) == null) {
            throw ApiException.invalid("type", "type must be one of " + DeviceType.NAMES.allowed());
        }
        String model = Handlers.optionalString(body, "model", 100);
        String firmware = Handlers.optionalString(body, "firmware", 100);
        long patientId = Json.requiredId(body, "patientId");
        String secret = secrets.newSecret();
        byte[] salt = secrets.newSalt();
        byte[] hash = DeviceSecrets.hash(salt, secret);
        String actor = Principal.of(ctx).name();
        Future<JsonObject> device = announced(h.blocking(
                () -> store.createDevice(serial, type, model, firmware, patientId, salt, hash, actor)), "registered")
                // The only time the secret leaves the server (until it is rotated).
                .map(json -> json.copy().put("secret", secret));
        created(ctx, device);
    }

    /** A new secret, shown once; the old one stops working and open connections of the device are closed. */
    private void rotateSecret(RoutingContext ctx) {
        long id = Json.pathId(ctx, "id", "device");
        String secret = secrets.newSecret();
        byte[] salt = secrets.newSalt();
        byte[] hash = DeviceSecrets.hash(salt, secret);
        String actor = Principal.of(ctx).name();
        h.ok(ctx, announced(h.blocking(() -> store.rotateSecret(id, salt, hash, actor)), "secret_rotated")
                .map(json -> json.copy().put("secret", secret)));
    }

    /** Caches drop the device, MQTT endpoints close its connections where the change requires it. */
    private Future<JsonObject> announced(Future<JsonObject> result, String change) {
        return result.map(json -> {
            h.announce(new JsonObject().put("kind", "device").put("serial", json.getString("serial"))
                    .put("deviceId", json.getLong("id")).put("change", change));
            return json;
        });
    }
}
