package org.vigil.alerting.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.vigil.alerting.engine.AlertingVerticle;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.AlertStore;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.bus.Addresses;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.Json;
import org.vigil.common.http.Principal;

/**
 * Alerts for doctors: the list, acknowledgement, resolution with a disposition, the transition history, and
 * the live feed
 * {@code GET /api/v1/doctors/{id}/alerts/stream} as Server-Sent Events.
 *
 * <p>Each HTTP verticle instance that mounts these routes keeps its own feed subscribers and its own
 * event-bus consumer of {@link Addresses#ALERT_CHANGED}; both live on that verticle's event loop, so
 * the subscriber map needs no locking. An event goes only to the feeds of the alert's doctor.
 */
public final class AlertsApi {

    private static final int PAGE_MAX = 500;
    private static final int NOTE_MAX = 2_000;
    /** How a doctor closes an alert; {@code auto_cleared} is the engine's own and not accepted here. */
    static final List<String> DISPOSITIONS = List.of("contacted_patient", "visited_patient", "referred",
            "treatment_adjusted", "false_alarm", "no_action_needed");

    private final Vertx vertx;
    private final AlertStore store;
    private final AuditLog audit;
    private final AlertingMetrics metrics;
    private final Clock clock;
    private final Duration heartbeat;
    private final Map<Long, Set<HttpServerResponse>> feeds = new HashMap<>();

    public AlertsApi(Vertx vertx, AlertStore store, AuditLog audit, AlertingMetrics metrics, Clock clock,
            Duration heartbeat) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.store = Objects.requireNonNull(store, "store");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
    }

    /** Mounts the routes; call on the event loop of the HTTP verticle that serves them. */
    public void mount(Router api) {
        api.get("/alerts").handler(this::list);
        api.get("/alerts/:id").handler(this::one);
        api.post("/alerts/:id/ack").handler(this::acknowledge);
        api.post("/alerts/:id/resolve").handler(this::resolve);
        api.get("/alerts/:id/transitions").handler(this::transitions);
        api.get("/doctors/:id/alerts/stream").handler(this::stream);
        vertx.eventBus().<JsonObject>consumer(Addresses.ALERT_CHANGED, msg -> deliver(msg.body()));
        vertx.setPeriodic(heartbeat.toMillis(), id -> heartbeat());
    }


    /**
     * Runs {@code action} only if the alert exists and the caller may see it; an alert of another doctor's
     * patient is not found, so its existence does not leak.
     */
    private <T> Future<T> owned(RoutingContext ctx, long id, java.util.concurrent.Callable<T> action) {
        Long scope = Principal.scope(ctx);
        return vertx.executeBlocking(() -> {
            if (scope != null && !store.visible(id, scope)) {
                throw ApiException.notFound("alert " + id);
            }
            return action.call();
        }, false);
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
        vertx.executeBlocking(() -> store.list(scope, doctorId, status, patientId, before, limit), false)
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
        long id = Json.pathId(ctx, "id", "alert");
        String reader = Principal.of(ctx).name();
        owned(ctx, id, () -> {
            java.util.Optional<JsonObject> alert = store.alert(id);
            if (alert.isPresent()) {
                long patientId = alert.get().getLong("patientId");
                audit.append(new AuditLog.Event(reader, "alert.read", "alert", id, patientId, null));
            }
            return alert;
        })
                .onSuccess(found -> found.ifPresentOrElse(ctx::json,
                        () -> ctx.fail(ApiException.notFound("alert " + id))))
                .onFailure(ctx::fail);
    }

    private void acknowledge(RoutingContext ctx) {
        long id = Json.pathId(ctx, "id", "alert");
        String by = Principal.of(ctx).name();
        owned(ctx, id, () -> store.acknowledge(id, by, clock.instant()))
                .onSuccess(change -> {
                    if (change.kind() != null) {
                        vertx.eventBus().publish(Addresses.ALERT_CHANGED,
                                new JsonObject().put("change", "acknowledged").put("alert", change.alert()));
                    }
                    ctx.json(change.alert());
                })
                .onFailure(ctx::fail);
    }

    private void resolve(RoutingContext ctx) {
        long id = Json.pathId(ctx, "id", "alert");
        // An empty body is a missing disposition, reported as such.
        String text = ctx.body() == null ? null : ctx.body().asString();
        JsonObject body = text == null || text.isBlank() ? new JsonObject() : Json.body(ctx);
        if (!(body.getValue("disposition") instanceof String disposition) || !DISPOSITIONS.contains(disposition)) {
            throw ApiException.invalid("disposition", "disposition must be one of " + String.join(", ", DISPOSITIONS));
        }
        Object noteValue = body.getValue("note");
        if (noteValue != null && (!(noteValue instanceof String n) || n.length() > NOTE_MAX)) {
            throw ApiException.invalid("note", "note must be text of at most " + NOTE_MAX + " characters");
        }
        String note = (String) noteValue;
        String by = Principal.of(ctx).name();
        owned(ctx, id, () -> store.resolve(id, by, disposition, note, clock.instant()))
                .onSuccess(change -> {
                    JsonObject alert = change.alert();
                    metrics.resolved(false);
                    // The engine owning the patient may run on another node: tell it over the event bus, so it
                    // stays quiet while the condition persists instead of reopening on the next reading.
                    vertx.eventBus().publish(AlertingVerticle.ALERT_RESOLVED, new JsonObject()
                            .put("patientId", alert.getLong("patientId")).put("rule", alert.getString("rule")));
                    vertx.eventBus().publish(Addresses.ALERT_CHANGED,
                            new JsonObject().put("change", "resolved").put("alert", alert));
                    ctx.json(alert);
                })
                .onFailure(ctx::fail);
    }

    private void transitions(RoutingContext ctx) {
        long id = Json.pathId(ctx, "id", "alert");
        owned(ctx, id, () -> store.transitions(id))
                .onSuccess(found -> found.ifPresentOrElse(items -> ctx.json(new JsonObject().put("items", items)),
                        () -> ctx.fail(ApiException.notFound("alert " + id))))
                .onFailure(ctx::fail);
    }

    private void stream(RoutingContext ctx) {
        long doctorId = Json.pathId(ctx, "id", "doctor");
        Long scope = Principal.scope(ctx);
        if (scope != null && scope != doctorId) {
            throw new ApiException(403, "forbidden", null, "a doctor may follow only her own alert feed");
        }
        vertx.executeBlocking(() -> store.doctorExists(doctorId), false).onSuccess(exists -> {
            if (!exists) {
                ctx.fail(ApiException.notFound("doctor " + doctorId));
                return;
            }
            HttpServerResponse response = ctx.response()
                    .setChunked(true)
                    .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache")
                    .putHeader("X-Accel-Buffering", "no");
            feeds.computeIfAbsent(doctorId, k -> new LinkedHashSet<>()).add(response);
            metrics.subscriberAdded();
            response.closeHandler(v -> unsubscribe(doctorId, response));
            // An opening comment flushes the headers, so the client knows the feed is live.
            response.write(": feed for doctor " + doctorId + "\n\n");
        }).onFailure(ctx::fail);
    }

    private void unsubscribe(long doctorId, HttpServerResponse response) {
        Set<HttpServerResponse> set = feeds.get(doctorId);
        if (set != null && set.remove(response)) {
            metrics.subscriberRemoved();
            if (set.isEmpty()) {
                feeds.remove(doctorId);
            }
        }
    }

    private void deliver(JsonObject event) {
        JsonObject alert = event.getJsonObject("alert");
        Set<HttpServerResponse> subscribers = feeds.get(alert.getLong("doctorId"));
        if (subscribers == null) {
            return;
        }
        String frame = "id: " + alert.getLong("id") + "\nevent: alert." + event.getString("change")
                + "\ndata: " + alert.encode() + "\n\n";
        for (HttpServerResponse response : subscribers) {
            // A client that stopped reading is dropped rather than buffered without bound.
            if (response.writeQueueFull()) {
                response.reset();
            } else {
                response.write(frame);
            }
        }
    }

    private void heartbeat() {
        for (Set<HttpServerResponse> subscribers : feeds.values()) {
            for (HttpServerResponse response : subscribers) {
                if (!response.writeQueueFull()) {
                    response.write(": keep-alive\n\n");
                }
            }
        }
    }
}
