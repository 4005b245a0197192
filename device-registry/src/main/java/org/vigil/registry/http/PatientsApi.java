package org.vigil.registry.http;

import static org.vigil.registry.http.Handlers.admin;
import static org.vigil.registry.http.Handlers.created;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.care.CarePlanCheck;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.Json;
import org.vigil.common.http.Principal;
import org.vigil.common.model.Condition;
import org.vigil.registry.store.PatientStore;

/**
 * Patients, their contracts and care plans. Operations staff register patients and change contracts; a
 * doctor reads the patients she may see, and changes their grade, conditions and care plan. Every read of a
 * patient's record is audited.
 */
record PatientsApi(Handlers h, PatientStore store, AuditLog audit, CarePlanCheck carePlans, Clock clock) {

    void mount(Router api) {
        api.post("/patients").handler(admin(this::create));
        api.get("/patients").handler(ctx -> {
            Long scope = Principal.scope(ctx);
            Long doctorId = Json.queryId(ctx, "doctorId");
            Long teamId = Json.queryId(ctx, "teamId");
            Long organisationId = Json.queryId(ctx, "organisationId");
            Principal who = Principal.of(ctx);
            h.page(ctx, (after, limit) -> listed(who, "patient.listed",
                    store.patients(scope, doctorId, teamId, organisationId, after, limit)));
        });
        api.get("/patients/:id").handler(ctx -> {
            long id = Json.pathId(ctx, "id", "patient");
            Principal who = Principal.of(ctx);
            h.one(ctx, "patient", () -> read(who, id, "patient.read", store.patient(id, who.doctorId())));
        });
        api.patch("/patients/:id").handler(this::update);
        api.post("/patients/:id/contracts").handler(admin(this::changeContract));
        api.post("/patients/:id/contracts/end").handler(admin(this::endContract));
        api.get("/patients/:id/contracts").handler(ctx -> {
            long id = Json.pathId(ctx, "id", "patient");
            Principal who = Principal.of(ctx);
            h.one(ctx, "patient", () -> read(who, id, "contracts.read", store.contracts(id, who.doctorId())));
        });
        api.get("/patients/:id/care-plan").handler(ctx -> {
            long id = Json.pathId(ctx, "id", "patient");
            Principal who = Principal.of(ctx);
            h.one(ctx, "patient", () -> read(who, id, "care_plan.read",
                    store.visible(id, who.doctorId()) ? Optional.of(store.carePlan(id)) : Optional.empty()));
        });
        api.get("/patients/:id/care-plan/history").handler(ctx -> {
            long id = Json.pathId(ctx, "id", "patient");
            Principal who = Principal.of(ctx);
            Long before = Json.queryId(ctx, "before");
            int limit = Json.queryInt(ctx, "limit", 50, 1, Handlers.PAGE_MAX);
            h.one(ctx, "patient", () -> {
                if (!store.visible(id, who.doctorId())) {
                    return Optional.empty();
                }
                List<JsonObject> items = store.carePlanHistory(id, before == null ? Integer.MAX_VALUE : before.intValue(), limit);
                JsonObject page = new JsonObject().put("items", new JsonArray(new ArrayList<>(items)));
                if (items.size() == limit) {
                    page.put("next", items.get(items.size() - 1).getInteger("version"));
                }
                return read(who, id, "care_plan.read", Optional.of(page));
            });
        });
        api.put("/patients/:id/care-plan").handler(this::setCarePlan);
    }

    /**
     * Records that the caller read these patients' records in a list: one event per patient, so the audit log
     * answers "who saw this patient" for lists as for single reads.
     */
    private List<JsonObject> listed(Principal who, String action, List<JsonObject> patients)
            throws java.sql.SQLException {
        if (!patients.isEmpty()) {
            audit.append(patients.stream().map(p -> p.getLong("id"))
                    .map(id -> new AuditLog.Event(who.name(), action, "patient", id, id, null))
                    .toArray(AuditLog.Event[]::new));
        }
        return patients;
    }

    /** Records who read a patient's data, once it was found and in her scope. */
    private Optional<JsonObject> read(Principal who, long patientId, String action, Optional<JsonObject> found)
            throws java.sql.SQLException {
        if (found.isPresent()) {
            audit.append(new AuditLog.Event(who.name(), action, "patient", patientId, patientId, null));
        }
        return found;
    }

    private void create(RoutingContext ctx) {
        JsonObject body = Json.body(ctx);
        String name = Json.requiredString(body, "name", Handlers.NAME_MAX);
        List<String> conditions = body.containsKey("conditions") ? conditions(body) : List.of();
        int grade = body.containsKey("grade") ? grade(body) : 1;
        PatientStore.ContractTerms terms = terms(body);
        String actor = Principal.of(ctx).name();
        created(ctx, h.blocking(() -> store.createPatient(name, conditions, grade, terms, actor))
                .map(json -> announced(json, json.getLong("id"), "created")));
    }

    private void update(RoutingContext ctx) {
        long id = Json.pathId(ctx, "id", "patient");
        JsonObject body = Json.body(ctx);
        String name = Handlers.optionalString(body, "name", Handlers.NAME_MAX);
        List<String> conditions = body.containsKey("conditions") ? conditions(body) : null;
        Integer grade = body.containsKey("grade") ? grade(body) : null;
        Principal who = Principal.of(ctx);
        if (name != null && !who.admin()) {
            // Identity is registration, which is operations' job; a doctor changes the clinical fields.
            throw new ApiException(403, "forbidden", "name", "only administrators may rename a patient");
        }
        h.ok(ctx, h.blocking(() -> store.update(id, name, conditions, grade, who.doctorId(), who.name()))
                .map(json -> announced(json, id, "changed")));
    }

    private void changeContract(RoutingContext ctx) {
        long id = Json.pathId(ctx, "id", "patient");
        PatientStore.ContractTerms terms = terms(Json.body(ctx));
        String actor = Principal.of(ctx).name();
        created(ctx, h.blocking(() -> store.changeContract(id, terms, actor)).map(json -> announced(json, id, "contract")));
    }

    private void endContract(RoutingContext ctx) {
        long id = Json.pathId(ctx, "id", "patient");
        JsonObject body = Json.optionalBody(ctx);
        Instant at = Json.instant(body, "at", clock.instant());
        String actor = Principal.of(ctx).name();
        h.ok(ctx, h.blocking(() -> store.endContract(id, at, actor)).map(json -> announced(json, id, "contract")));
    }

    private void setCarePlan(RoutingContext ctx) {
        long id = Json.pathId(ctx, "id", "patient");
        JsonObject body = Json.body(ctx);
        Integer version = null;
        if (body.getValue("version") != null) {
            if (!(body.getValue("version") instanceof Number n) || n.intValue() != n.doubleValue() || n.intValue() < 0) {
                throw ApiException.invalid("version", "version must be the whole number of the plan this change builds on");
            }
            version = n.intValue();
        }
        JsonObject plan = new JsonObject()
                .put("expected", body.getValue("expected") == null ? new JsonArray() : Json.requiredArray(body, "expected"))
                .put("thresholds", thresholds(body));
        carePlans.check(plan);
        Principal who = Principal.of(ctx);
        Integer expectedVersion = version;
        Future<JsonObject> stored = h.blocking(() -> {
            if (!store.visible(id, who.doctorId())) {
                throw ApiException.notFound("patient " + id);
            }
            return store.setCarePlan(id, plan, expectedVersion, who.name());
        });
        h.ok(ctx, stored.map(json -> announced(json, id, "care_plan")));
    }

    /** Tells alerting on every node to reload the patient's profile. */
    private JsonObject announced(JsonObject json, long patientId, String change) {
        h.announce(new JsonObject().put("kind", "patient").put("patientId", patientId).put("change", change));
        return json;
    }

    private PatientStore.ContractTerms terms(JsonObject body) {
        long teamId = Json.requiredId(body, "teamId");
        long doctorId = Json.requiredId(body, "doctorId");
        Instant from = Json.instant(body, "from", clock.instant());
        return new PatientStore.ContractTerms(teamId, doctorId, from);
    }

    private static JsonObject thresholds(JsonObject body) {
        Object value = body.getValue("thresholds");
        if (value == null) {
            return new JsonObject();
        }
        if (!(value instanceof JsonObject object)) {
            throw ApiException.invalid("thresholds", "thresholds must be an object of rule id to bands");
        }
        return object;
    }

    private static int grade(JsonObject body) {
        if (body.getValue("grade") instanceof Number n && n.doubleValue() == n.intValue() && n.intValue() >= 1
                && n.intValue() <= 3) {
            return n.intValue();
        }
        throw ApiException.invalid("grade", "grade must be 1 (stable), 2 or 3 (high risk)");
    }

    private static List<String> conditions(JsonObject body) {
        JsonArray array = Json.requiredArray(body, "conditions");
        LinkedHashSet<String> result = new LinkedHashSet<>();
        for (Object item : array) {
            if (!(item instanceof String s) || Condition.NAMES.find(s) == null) {
                throw ApiException.invalid("conditions", "conditions must be names from " + Condition.NAMES.allowed());
            }
            result.add(s);
        }
        return new ArrayList<>(result);
    }
}
