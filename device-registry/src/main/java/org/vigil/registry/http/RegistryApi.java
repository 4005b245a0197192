package org.vigil.registry.http;

import org.vigil.common.model.Condition;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.vigil.common.bus.Addresses;
import org.vigil.common.http.ApiException;
import io.vertx.core.Handler;
import org.vigil.common.http.Json;
import org.vigil.common.http.Principal;
import org.vigil.registry.auth.DoctorTokens;
import org.vigil.registry.model.DeviceSecrets;
import org.vigil.registry.model.DeviceType;
import org.vigil.registry.model.Tier;
import org.vigil.registry.store.RegistryStore;

/**
 * REST routes for doctors, patients and devices under {@code /api/v1}. Handlers validate on the event
 * loop and run the store on worker threads.
 */
public final class RegistryApi {

    /** Serials are MQTT usernames and topic levels: no '/', '+', '#' or spaces. */
    private static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final int NAME_MAX = 200;
    private static final int PAGE_MAX = 500;

    private final Vertx vertx;
    private final RegistryStore store;
    private final DeviceSecrets secrets;

    public RegistryApi(Vertx vertx, RegistryStore store, DeviceSecrets secrets) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.store = Objects.requireNonNull(store, "store");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
    }

    /** Mounts the routes on a router rooted at {@code /api/v1}. */
    public void mount(Router api) {
        // Registering and changing things is for operations staff; a doctor reads her own patients.
        api.post("/doctors").handler(admin(this::createDoctor));
        api.get("/doctors").handler(admin(ctx -> page(ctx, after -> store.doctors(after, limit(ctx)))));
        api.get("/doctors/:id").handler(ctx -> {
            long id = Json.pathId(ctx, "id", "doctor");
            Long scope = Principal.scope(ctx);
            one(ctx, "doctor", () -> scope == null || scope == id ? store.doctor(id) : Optional.empty());
        });
        api.post("/doctors/:id/tokens").handler(admin(this::issueToken));
        api.post("/patients").handler(admin(this::createPatient));
        api.get("/patients").handler(ctx -> {
            Long doctorId = Json.queryId(ctx, "doctorId");
            Long scope = Principal.scope(ctx);
            if (scope != null && doctorId != null && !doctorId.equals(scope)) {
                throw new ApiException(403, "forbidden", "doctorId", "a doctor may list only her own patients");
            }
            Long filter = scope != null ? scope : doctorId;
            page(ctx, after -> store.patients(filter, after, limit(ctx)));
        });
        api.get("/patients/:id").handler(ctx -> {
            long id = Json.pathId(ctx, "id", "patient");
            Long scope = Principal.scope(ctx);
            one(ctx, "patient", () -> store.patient(id, scope));
        });
        api.post("/devices").handler(admin(this::createDevice));
        api.get("/devices").handler(admin(ctx -> {
            Long patientId = Json.queryId(ctx, "patientId");
            page(ctx, after -> store.devices(patientId, after, limit(ctx)));
        }));
        api.get("/devices/:id").handler(admin(ctx -> one(ctx, "device", () -> store.device(Json.pathId(ctx, "id", "device")))));
        api.post("/devices/:id/secret").handler(admin(this::rotateSecret));
        api.post("/devices/:id/revoke").handler(admin(this::revoke));
    }

    private static Handler<RoutingContext> admin(Handler<RoutingContext> handler) {
        return ctx -> {
            Principal.requireAdmin(ctx);
            handler.handle(ctx);
        };
    }

    /** A new API token for a doctor, shown once and stored as its hash. */
    private void issueToken(RoutingContext ctx) {
        long doctorId = Json.pathId(ctx, "id", "doctor");
        String token = DoctorTokens.PREFIX + secrets.newSecret();
        byte[] hash = DoctorTokens.hash(token);
        created(ctx, blocking(() -> store.issueToken(doctorId, hash)).map(json -> json.copy().put("token", token)));
    }

    private void createDoctor(RoutingContext ctx) {
        JsonObject body = Json.body(ctx);
        String name = Json.requiredString(body, "name", NAME_MAX);
        String institution = Json.requiredString(body, "institution", NAME_MAX);
        String tier = Json.requiredString(body, "tier", 20);
        if (Tier.fromWire(tier) == null) {
            throw ApiException.invalid("tier", "tier must be one of " + Tier.ALLOWED);
        }
        created(ctx, blocking(() -> store.createDoctor(name, institution, tier)));
    }

    private void createPatient(RoutingContext ctx) {
        JsonObject body = Json.body(ctx);
        String name = Json.requiredString(body, "name", NAME_MAX);
        long doctorId = Json.requiredId(body, "doctorId");
        List<String> conditions = conditions(body);
        created(ctx, blocking(() -> store.createPatient(name, doctorId, conditions)));
    }

    private static List<String> conditions(JsonObject body) {
        if (!body.containsKey("conditions")) {
            return List.of();
        }
        JsonArray array = Json.requiredArray(body, "conditions");
        LinkedHashSet<String> result = new LinkedHashSet<>();
        for (Object item : array) {
            if (!(item instanceof String s) || Condition.fromWire(s) == null) {
                throw ApiException.invalid("conditions", "conditions must be names from " + Condition.ALLOWED);
            }
            result.add(s);
        }
        return new ArrayList<>(result);
    }

    private void createDevice(RoutingContext ctx) {
        JsonObject body = Json.body(ctx);
        String serial = Json.requiredString(body, "serial", 64);
        if (!SERIAL.matcher(serial).matches()) {
            throw ApiException.invalid("serial", "serial may hold only letters, digits and . _ : - (at most 64)");
        }
        String type = Json.requiredString(body, "type", 40);
        if (DeviceType.fromWire(type) == null) {
            throw ApiException.invalid("type", "type must be one of " + DeviceType.ALLOWED);
        }
        long patientId = Json.requiredId(body, "patientId");
        String secret = secrets.newSecret();
        byte[] salt = secrets.newSalt();
        byte[] hash = DeviceSecrets.hash(salt, secret);
        Future<JsonObject> device = blocking(() -> store.createDevice(serial, type, patientId, salt, hash))
                .map(json -> {
                    announce(serial, "registered");
                    // The only time the secret leaves the server (until it is rotated).
                    return json.copy().put("secret", secret);
                });
        created(ctx, device);
    }

    /** A new secret, shown once; the old one stops working and open connections of the device are closed. */
    private void rotateSecret(RoutingContext ctx) {
        long id = Json.pathId(ctx, "id", "device");
        String secret = secrets.newSecret();
        byte[] salt = secrets.newSalt();
        byte[] hash = DeviceSecrets.hash(salt, secret);
        blocking(() -> store.rotateSecret(id, salt, hash))
                .map(json -> {
                    announce(json.getString("serial"), "secret_rotated");
                    return json.copy().put("secret", secret);
                })
                .onSuccess(ctx::json)
                .onFailure(ctx::fail);
    }

    /** Revokes the device: it can no longer connect, and its open connections are closed. */
    private void revoke(RoutingContext ctx) {
        long id = Json.pathId(ctx, "id", "device");
        blocking(() -> store.revoke(id))
                .onSuccess(json -> {
                    announce(json.getString("serial"), "revoked");
                    ctx.json(json);
                })
                .onFailure(ctx::fail);
    }

    /** Tells every node: caches drop the device, MQTT endpoints close its connections. */
    private void announce(String serial, String change) {
        vertx.eventBus().publish(Addresses.REGISTRY_CHANGED,
                new JsonObject().put("kind", "device").put("serial", serial).put("change", change));
    }

    private interface PageQuery {
        List<JsonObject> fetch(long afterId) throws Exception;
    }

    /** Keyset pagination: {@code ?after=<last id>&limit=}; the response names the next cursor. */
    private void page(RoutingContext ctx, PageQuery query) {
        Long after = Json.queryId(ctx, "after");
        int limit = limit(ctx);
        blocking(() -> query.fetch(after == null ? 0 : after)).onSuccess(items -> {
            JsonObject page = new JsonObject().put("items", new JsonArray(new ArrayList<>(items)));
            if (items.size() == limit) {
                page.put("next", items.get(items.size() - 1).getLong("id"));
            }
            ctx.json(page);
        }).onFailure(ctx::fail);
    }

    private static int limit(RoutingContext ctx) {
        return Json.queryInt(ctx, "limit", 100, 1, PAGE_MAX);
    }

    private void one(RoutingContext ctx, String what, Callable<Optional<JsonObject>> query) {
        blocking(query).onSuccess(found -> {
            if (found.isPresent()) {
                ctx.json(found.get());
            } else {
                ctx.fail(ApiException.notFound(what + " " + ctx.pathParam("id")));
            }
        }).onFailure(ctx::fail);
    }

    private static void created(RoutingContext ctx, Future<JsonObject> result) {
        result.onSuccess(json -> ctx.response()
                        .setStatusCode(201)
                        .putHeader("Content-Type", "application/json")
                        .end(json.encode()))
                .onFailure(ctx::fail);
    }

    private <T> Future<T> blocking(Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }
}
