package org.vigil.chronic.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.vigil.chronic.app.StatusKeeper;
import org.vigil.chronic.followup.Classification;
import org.vigil.chronic.followup.FollowUpRules;
import org.vigil.chronic.followup.FollowUpType;
import org.vigil.chronic.followup.NextFollowUp;
import org.vigil.chronic.followup.Overdue;
import org.vigil.chronic.grade.GradeRules;
import org.vigil.chronic.grade.GradeSuggestion;
import org.vigil.chronic.store.CareStore;
import org.vigil.chronic.store.FollowUpStore;
import org.vigil.chronic.store.GradeStore;
import org.vigil.chronic.store.StatusStore;
import org.vigil.chronic.store.Stores;
import org.vigil.chronic.store.Roster;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.Json;
import org.vigil.common.http.Principal;
import org.vigil.common.model.Condition;

/**
 * A patient's chronic care: control status per condition, follow-ups, the management grade and the one summary
 * across her conditions; and a doctor's overdue follow-ups. A doctor sees a patient exactly when the registry's
 * {@code doctor_sees_patient} says so (another doctor's patient is not found, as everywhere in the API); changes
 * and reads are written to the audit log.
 */
public final class CareApi {

    private final Vertx vertx;
    private final CareStore store;
    private final FollowUpStore followUpStore;
    private final GradeStore gradeStore;
    private final StatusStore statusStore;
    private final StatusKeeper keeper;
    private final FollowUpRules followUps;
    private final GradeRules grades;
    private final AuditLog audit;
    private final Clock clock;
    private final ZoneId zone;

    public CareApi(Vertx vertx, Stores stores, StatusKeeper keeper, FollowUpRules followUps, GradeRules grades,
            AuditLog audit, Clock clock) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.store = stores.care();
        this.followUpStore = stores.followUps();
        this.gradeStore = stores.grades();
        this.statusStore = stores.status();
        this.keeper = Objects.requireNonNull(keeper, "keeper");
        this.followUps = Objects.requireNonNull(followUps, "followUps");
        this.grades = Objects.requireNonNull(grades, "grades");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.zone = keeper.evaluator().rules().zone();
    }

    public void mount(Router api) {
        api.get("/patients/:id/control").handler(this::control);
        api.get("/patients/:id/summary").handler(this::summary);
        api.get("/patients/:id/follow-ups").handler(this::listFollowUps);
        api.post("/patients/:id/follow-ups").handler(this::addFollowUp);
        api.get("/patients/:id/grade").handler(this::grade);
        api.post("/patients/:id/grade").handler(this::decideGrade);
        api.get("/doctors/:id/follow-ups/overdue").handler(this::overdue);
    }

    /**
     * Runs {@code action} for a patient the caller may see and who is under a contract now; otherwise 404, so the
     * existence of another doctor's patient does not leak.
     */
    private <T> void patient(RoutingContext ctx, PatientWork<T> action) {
        long id = Json.pathId(ctx, "id", "patient");
        Long scope = Principal.scope(ctx);
        String actor = Principal.of(ctx).name();
        Instant now = clock.instant();
        vertx.executeBlocking(() -> {
            if (!store.sees(scope, id)) {
                throw ApiException.notFound("patient " + id);
            }
            Roster roster = store.roster(id, now).orElseThrow(() -> ApiException.notFound("patient " + id
                    + " (no contract now)"));
            return action.run(roster, actor, now);
        }, false).onSuccess(result -> {
            if (result instanceof Created created) {
                ctx.response().setStatusCode(201);
                ctx.json(created.body());
            } else {
                ctx.json(result);
            }
        }).onFailure(ctx::fail);
    }

    @FunctionalInterface
    private interface PatientWork<T> {
        T run(Roster roster, String actor, Instant now) throws Exception;
    }

    private record Created(JsonObject body) {
    }

    private void control(RoutingContext ctx) {
        patient(ctx, (roster, actor, now) -> {
            JsonArray items = new JsonArray();
            for (StatusKeeper.Evaluated e : keeper.refresh(roster, now)) {
                items.add(e.toJson());
            }
            audit.append(new AuditLog.Event(actor, "control.read", "patient", roster.patientId(), roster.patientId(), null));
            return new JsonObject().put("patientId", roster.patientId()).put("items", items);
        });
    }

    private void summary(RoutingContext ctx) {
        patient(ctx, (roster, actor, now) -> {
            JsonArray control = new JsonArray();
            List<StatusKeeper.Evaluated> evaluated = keeper.refresh(roster, now);
            for (StatusKeeper.Evaluated e : evaluated) {
                control.add(e.toJson());
            }
            LocalDate today = LocalDate.ofInstant(now, zone);
            Overdue next = followUpStore.nextDue(roster, today, zone);
            List<JsonObject> history = gradeStore.grades(roster.patientId(), 1);
            GradeSuggestion suggestion = suggestion(roster, now);
            audit.append(new AuditLog.Event(actor, "summary.read", "patient", roster.patientId(), roster.patientId(), null));
            return new JsonObject()
                    .put("patientId", roster.patientId())
                    .put("name", roster.name())
                    .put("doctorId", roster.doctorId())
                    .put("teamId", roster.teamId())
                    .put("conditions", new JsonArray(roster.conditions().stream().map(Condition::wireName).sorted().toList()))
                    .put("control", control)
                    .put("openAlerts", store.openAlerts(roster.patientId()))
                    .put("nextFollowUp", nextJson(next, today))
                    .put("grade", new JsonObject()
                            .put("current", history.isEmpty() ? null : history.get(0))
                            .put("suggested", suggestionJson(suggestion)));
        });
    }

    private static JsonObject nextJson(Overdue next, LocalDate today) {
        return new JsonObject().put("rule", next.rule()).put("due", next.due().toString())
                .put("overdue", Overdue.missed(next.due(), today)).put("daysOverdue", next.daysOverdue())
                .put("lastDate", next.lastDoneOn() == null ? null : next.lastDoneOn().toString());
    }

    private void listFollowUps(RoutingContext ctx) {
        int limit = Json.queryInt(ctx, "limit", 100, 1, 500);
        patient(ctx, (roster, actor, now) -> {
            List<JsonObject> items = followUpStore.followUps(roster.patientId(), limit);
            audit.append(new AuditLog.Event(actor, "follow_up.listed", "patient", roster.patientId(), roster.patientId(), null));
            return new JsonObject().put("items", new JsonArray(new ArrayList<>(items)));
        });
    }

    private void addFollowUp(RoutingContext ctx) {
        JsonObject body = Json.body(ctx);
        Principal who = Principal.of(ctx);
        LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
        LocalDate date = CareBodies.date(body, "date", today);
        if (date.isAfter(today)) {
            throw ApiException.invalid("date", "date must not lie in the future");
        }
        String typeName = Json.requiredString(body, "type", 40);
        FollowUpType type = FollowUpType.NAMES.find(typeName);
        if (type == null) {
            throw ApiException.invalid("type", "type must be one of " + FollowUpType.NAMES.allowed());
        }
        Classification classification = Classification.NAMES.find(Json.requiredString(body, "classification", 40));
        if (classification == null) {
            throw ApiException.invalid("classification", "classification must be one of " + Classification.NAMES.allowed());
        }
        Long doctorId = body.getValue("doctorId") == null ? who.doctorId() : Json.requiredId(body, "doctorId");
        if (doctorId == null) {
            throw ApiException.invalid("doctorId", "doctorId is required when an administrator records a follow-up");
        }
        if (!who.admin() && !doctorId.equals(who.doctorId())) {
            throw ApiException.invalid("doctorId", "a doctor records her own follow-ups");
        }
        JsonObject measurements = CareBodies.measurements(body.getValue("measurements"));
        List<String> actions = CareBodies.actions(body.getValue("actions"));
        String noteValue = CareBodies.note(body);
        Set<Condition> asked = CareBodies.conditions(body.getValue("conditions"));
        patient(ctx, (roster, actor, now) -> {
            Set<Condition> covered = asked == null ? roster.conditions() : asked;
            if (covered.isEmpty() || !roster.conditions().containsAll(covered)) {
                throw ApiException.invalid("conditions", "conditions must be among the patient's: "
                        + roster.conditions().stream().map(Condition::wireName).sorted().toList());
            }
            Classification previous = followUpStore.previousClassification(roster.patientId(), date);
            NextFollowUp next = NextFollowUp.after(followUps, date, classification, previous, actions);
            JsonObject saved = followUpStore.addFollowUp(new FollowUpStore.NewFollowUp(roster.patientId(), covered, date,
                    type.wireName(), doctorId, measurements, classification, actions, noteValue), next, actor, now);
            // An office value may decide control from now on.
            keeper.refresh(roster, now);
            saved.getJsonObject("next").put("reason", next.reason());
            return new Created(saved);
        });
    }

    private void grade(RoutingContext ctx) {
        patient(ctx, (roster, actor, now) -> {
            keeper.refresh(roster, now);
            List<JsonObject> history = gradeStore.grades(roster.patientId(), 100);
            audit.append(new AuditLog.Event(actor, "grade.read", "patient", roster.patientId(), roster.patientId(), null));
            return new JsonObject().put("current", history.isEmpty() ? null : history.get(0))
                    .put("suggested", suggestionJson(suggestion(roster, now)))
                    .put("history", new JsonArray(new ArrayList<>(history)));
        });
    }

    private void decideGrade(RoutingContext ctx) {
        JsonObject body = Json.body(ctx);
        if (!(body.getValue("grade") instanceof Number n) || n.doubleValue() != n.intValue() || n.intValue() < 1
                || n.intValue() > 3) {
            throw ApiException.invalid("grade", "grade must be 1, 2 or 3");
        }
        int grade = n.intValue();
        String noteValue = CareBodies.note(body);
        patient(ctx, (roster, actor, now) -> {
            keeper.refresh(roster, now);
            GradeSuggestion suggestion = suggestion(roster, now);
            if (grade != suggestion.grade() && (noteValue == null || noteValue.isBlank())) {
                throw ApiException.invalid("note", "overriding the suggested grade " + suggestion.grade()
                        + " needs a note saying why");
            }
            return new Created(gradeStore.decideGrade(roster.patientId(), grade, suggestion, noteValue, actor, now));
        });
    }

    private GradeSuggestion suggestion(Roster roster, Instant now) throws java.sql.SQLException {
        int critical = store.criticalAlerts(roster.patientId(), now.minus(grades.alertWindow()));
        Classification last = followUpStore.previousClassification(roster.patientId(), LocalDate.ofInstant(now, zone));
        return GradeSuggestion.suggest(grades, statusStore.spells(roster.patientId()), critical, last, now);
    }

    private static JsonObject suggestionJson(GradeSuggestion s) {
        return new JsonObject().put("grade", s.grade()).put("reasons", new JsonArray(new ArrayList<>(s.reasons())));
    }

    private void overdue(RoutingContext ctx) {
        long doctorId = Json.pathId(ctx, "id", "doctor");
        Long scope = Principal.scope(ctx);
        String actor = Principal.of(ctx).name();
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, zone);
        vertx.executeBlocking(() -> {
            List<Overdue> items = followUpStore.overdue(doctorId, scope, now, today, zone);
            if (!items.isEmpty()) {
                audit.append(items.stream().map(o -> new AuditLog.Event(actor, "follow_up.overdue_listed", "patient",
                        o.patientId(), o.patientId(), null)).toArray(AuditLog.Event[]::new));
            }
            JsonArray out = new JsonArray();
            for (Overdue o : items) {
                out.add(new JsonObject().put("patientId", o.patientId()).put("name", o.patientName())
                        .put("doctorId", o.doctorId()).put("rule", o.rule()).put("due", o.due().toString())
                        .put("daysOverdue", o.daysOverdue())
                        .put("lastDate", o.lastDoneOn() == null ? null : o.lastDoneOn().toString()));
            }
            return new JsonObject().put("doctorId", doctorId).put("today", today.toString()).put("items", out);
        }, false).onSuccess(ctx::json).onFailure(ctx::fail);
    }
}
