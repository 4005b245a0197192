package org.vigil.alerting.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.AlertActions;
import org.vigil.alerting.store.AlertQueries;
import org.vigil.alerting.store.AlertRefusedException;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.bus.Addresses;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.Json;
import org.vigil.common.http.Principal;
import org.vigil.common.model.Severity;

/**
 * Alerts for doctors over HTTP: the list, acknowledgement, snooze, resolution with a disposition, the transition
 * history, and the request that opens a live feed {@code GET /api/v1/doctors/{id}/alerts/stream}. The feeds
 * themselves are {@link LiveFeeds}': each HTTP verticle instance that mounts these routes passes its own. This class
 * is where the stores' answers and domain errors become JSON and HTTP statuses.
 */
public record AlertsApi(Vertx vertx, AlertQueries queries, AlertActions actions, LiveFeeds feeds, AuditLog audit,
        AlertingMetrics metrics, Clock clock) {

    private static final int PAGE_MAX = 500;
    private static final int NOTE_MAX = 2_000;
    /** Longer than a week is not a snooze: resolve the alert, or change the care plan. */
    static final Duration MAX_SNOOZE = Duration.ofDays(7);
    /** How a doctor closes an alert; {@code auto_cleared} is the engine's own and not accepted here. */
    static final List<String> DISPOSITIONS = List.of("contacted_patient", "visited_patient", "referred",
            "treatment_adjusted", "false_alarm", "no_action_needed");

    /** Mounts the routes; call on the event loop of the HTTP verticle that serves them. */
    public void mount(Router api) {
        api.get("/alerts").handler(this::list);
        api.get("/alerts/:id").handler(this::one);
        api.post("/alerts/:id/ack").handler(this::acknowledge);
        api.post("/alerts/:id/resolve").handler(this::resolve);
        api.get("/alerts/:id/transitions").handler(this::transitions);
        api.post("/alerts/:id/snooze").handler(this::snooze);
        api.get("/doctors/:id/alerts/stream").handler(this::stream);
        feeds.start();
    }

    /**
     * Runs {@code action} only if the alert exists and the caller may see it; an alert of another doctor's
     * patient is not found, so its existence does not leak.
     */
    private <T> Future<T> owned(RoutingContext ctx, long id, java.util.concurrent.Callable<T> action) {
        return guarded(ctx, id, false, action);
    }

    /**
     * Runs {@code action} only if the caller may act on the alert: she may see its patient now. The doctor an
     * alert was routed to keeps reading it after the patient moved on, but no longer acknowledges, snoozes or
     * resolves it (409: her successor is responsible).
     */
    private <T> Future<T> actionable(RoutingContext ctx, long id, java.util.concurrent.Callable<T> action) {
        return guarded(ctx, id, true, action);
    }

    private <T> Future<T> guarded(RoutingContext ctx, long id, boolean act, java.util.concurrent.Callable<T> action) {
        Long scope = Principal.scope(ctx);
        return vertx.executeBlocking(() -> {
            if (scope != null) {
                AlertQueries.Access access = queries.access(id, scope);
                if (access == AlertQueries.Access.NONE) {
                    throw ApiException.notFound("alert " + id);
                }
                if (act && access != AlertQueries.Access.ACT) {
                    throw ApiException.conflict(null, "alert " + id + " belongs to a patient no longer in your care");
                }
            }
            try {
                return action.call();
            } catch (AlertRefusedException e) {
                throw refused(e);
            }
        }, false);
    }

    /** What the caller is told when the alert's state does not allow her action. */
    private static ApiException refused(AlertRefusedException e) {
        return switch (e.reason()) {
            case UNKNOWN -> ApiException.notFound("alert " + e.alertId());
            case RESOLVED -> ApiException.conflict("status", "alert " + e.alertId() + " is already resolved");
        };
    }

    /** Records that the caller saw these alerts, one event per alert, each naming its patient. */
    private List<JsonObject> audited(String reader, String action, List<JsonObject> alerts) throws java.sql.SQLException {
        if (!alerts.isEmpty()) {
            audit.append(alerts.stream().map(a -> new AuditLog.Event(reader, action, "alert", a.getLong("id"),
                    a.getLong("patientId"), null)).toArray(AuditLog.Event[]::new));
        }
        return alerts;
    }

    private void list(RoutingContext ctx) {
        // A doctor lists what she may see: alerts routed to her, and those of patients in her scope (her
        // teams' patients; for township and county doctors, their organisation's tree).
        Long scope = Principal.scope(ctx);
        Long doctorId = Json.queryId(ctx, "doctorId");
        Long patientId = Json.queryId(ctx, "patientId");
        Long before = Json.queryId(ctx, "before");
        String status = ctx.queryParams().get("status");
        if (status != null && !Set.of("open", "acknowledged", "resolved").contains(status)) {
            throw ApiException.invalid("status", "status must be open, acknowledged or resolved");
        }
        int limit = Json.queryInt(ctx, "limit", 100, 1, PAGE_MAX);
        String reader = Principal.of(ctx).name();
        vertx.executeBlocking(() -> audited(reader, "alert.listed",
                        queries.list(scope, doctorId, status, patientId, before, limit)), false)
                .onSuccess(items -> {
                    JsonObject page = new JsonObject().put("items", new JsonArray(new ArrayList<>(items)));
                    if (items.size() == limit) {
                        page.put("next", items.get(items.size() - 1).getLong("id"));
                    }
                    ctx.json(page);
                })
                .onFailure(ctx::fail);
    }

    private void one(RoutingContext ctx) {
        answerRead(ctx, (id, reader) -> {
            java.util.Optional<JsonObject> alert = queries.alert(id);
            auditRead(reader, id, alert);
            return alert;
        }, ctx::json);
    }

    /** A read of the alert {@code id} (or of a part of it) by {@code reader}, on a worker: empty when there is none. */
    @FunctionalInterface
    private interface AlertRead<T> {
        java.util.Optional<T> read(long id, String reader) throws Exception;
    }

    /** Answers a read of the alert in the path, if the caller may see it, with {@code reply}; 404 when there is none. */
    private <T> void answerRead(RoutingContext ctx, AlertRead<T> read, java.util.function.Consumer<T> reply) {
        long id = Json.pathId(ctx, "id", "alert");
        String reader = Principal.of(ctx).name();
        owned(ctx, id, () -> read.read(id, reader))
                .onSuccess(found -> found.ifPresentOrElse(reply, () -> ctx.fail(ApiException.notFound("alert " + id))))
                .onFailure(ctx::fail);
    }

    /** A doctor's read of an alert that exists goes into the audit log, under the alert's patient. */
    private void auditRead(String reader, long id, java.util.Optional<JsonObject> alert) throws java.sql.SQLException {
        if (alert.isPresent()) {
            audit.append(new AuditLog.Event(reader, "alert.read", "alert", id, alert.get().getLong("patientId"), null));
        }
    }

    private void acknowledge(RoutingContext ctx) {
        long id = Json.pathId(ctx, "id", "alert");
        String by = Principal.of(ctx).name();
        actionable(ctx, id, () -> actions.acknowledge(id, by, clock.instant()))
                .onSuccess(change -> {
                    if (change.kind() != null) {
                        countAcknowledgement(change.alert());
                        vertx.eventBus().publish(Addresses.ALERT_CHANGED,
                                new JsonObject().put("change", "acknowledged").put("alert", change.alert()));
                    }
                    ctx.json(change.alert());
                })
                .onFailure(ctx::fail);
    }

    private void countAcknowledgement(JsonObject alert) {
        String opened = alert.getString("openedAt");
        String acknowledged = alert.getString("acknowledgedAt");
        if (opened != null && acknowledged != null) {
            metrics.acknowledged(Severity.fromWire(alert.getString("severity")),
                    Duration.between(Instant.parse(opened), Instant.parse(acknowledged)));
        }
    }

    private void resolve(RoutingContext ctx) {
        long id = Json.pathId(ctx, "id", "alert");
        // An empty body is a missing disposition, reported as such.
        JsonObject body = Json.optionalBody(ctx);
        if (!(body.getValue("disposition") instanceof String disposition) || !DISPOSITIONS.contains(disposition)) {
            throw ApiException.invalid("disposition", "disposition must be one of " + String.join(", ", DISPOSITIONS));
        }
        Object noteValue = body.getValue("note");
        if (noteValue != null && (!(noteValue instanceof String n) || n.length() > NOTE_MAX)) {
            throw ApiException.invalid("note", "note must be text of at most " + NOTE_MAX + " characters");
        }
        String note = (String) noteValue;
        String by = Principal.of(ctx).name();
        actionable(ctx, id, () -> actions.resolve(id, by, disposition, note, clock.instant()))
                .onSuccess(change -> {
                    JsonObject alert = change.alert();
                    metrics.resolved(false);
                    // The engine owning the patient may run on another node: tell it over the event bus, so it
                    // stays quiet while the condition persists instead of reopening on the next reading.
                    vertx.eventBus().publish(Addresses.ALERT_RESOLVED, new JsonObject()
                            .put("patientId", alert.getLong("patientId")).put("rule", alert.getString("rule")));
                    vertx.eventBus().publish(Addresses.ALERT_CHANGED,
                            new JsonObject().put("change", "resolved").put("alert", alert));
                    ctx.json(alert);
                })
                .onFailure(ctx::fail);
    }

    private void transitions(RoutingContext ctx) {
        answerRead(ctx, (id, reader) -> {
            java.util.Optional<JsonArray> items = queries.transitions(id);
            java.util.Optional<JsonObject> alert = items.isPresent() ? queries.alert(id) : java.util.Optional.empty();
            auditRead(reader, id, alert);
            return items;
        }, items -> ctx.json(new JsonObject().put("items", items)));
    }

    private void stream(RoutingContext ctx) {
        long doctorId = Json.pathId(ctx, "id", "doctor");
        Principal who = Principal.of(ctx);
        Long scope = who.doctorId();
        if (scope != null && scope != doctorId) {
            throw new ApiException(403, "forbidden", null, "a doctor may follow only her own alert feed");
        }
        vertx.executeBlocking(() -> queries.doctorOrganisation(doctorId), false).onSuccess(organisation -> {
            if (organisation.isEmpty()) {
                ctx.fail(ApiException.notFound("doctor " + doctorId));
                return;
            }
            if (ctx.response().closed()) {
                // Gone while we looked her up: a close handler registered now would never run.
                return;
            }
            feeds.open(ctx.response(),
                    new LiveFeeds.Feed(doctorId, organisation.get(), who.tokenId(), who.expiresAt()));
        }).onFailure(ctx::fail);
    }

    /**
     * A doctor puts reminders and escalation off until a time (at most {@link #MAX_SNOOZE} ahead), with a
     * reason; both are recorded. A worsening still notifies.
     */
    private void snooze(RoutingContext ctx) {
        long id = Json.pathId(ctx, "id", "alert");
        JsonObject body = Json.body(ctx);
        String reason = Json.requiredString(body, "reason", NOTE_MAX);
        Instant now = clock.instant();
        Instant until;
        try {
            until = Instant.parse(Json.requiredString(body, "until", 40));
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.invalid("until", "until must be an ISO-8601 instant");
        }
        if (!until.isAfter(now) || until.isAfter(now.plus(MAX_SNOOZE))) {
            throw ApiException.invalid("until", "until must be in the future and at most " + MAX_SNOOZE.toDays()
                    + " days ahead");
        }
        String by = Principal.of(ctx).name();
        actionable(ctx, id, () -> actions.snooze(id, by, until, reason, now))
                .onSuccess(change -> {
                    vertx.eventBus().publish(Addresses.ALERT_CHANGED,
                            new JsonObject().put("change", change.kind().wireName()).put("alert", change.alert()));
                    ctx.json(change.alert());
                })
                .onFailure(ctx::fail);
    }
}
