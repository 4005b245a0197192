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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.engine.AlertingVerticle;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.AlertStore;
import org.vigil.alerting.store.FeedAccess;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.bus.Addresses;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.Json;
import org.vigil.common.http.Principal;
import org.vigil.common.model.Severity;

/**
 * Alerts for doctors: the list, acknowledgement, snooze, resolution with a disposition, the transition history,
 * and the live feed {@code GET /api/v1/doctors/{id}/alerts/stream} as Server-Sent Events.
 *
 * <p>Each HTTP verticle instance that mounts these routes keeps its own feed subscribers ({@link LiveFeeds}) and its
 * own event-bus consumers of {@link Addresses#ALERT_CHANGED} and {@link Addresses#REGISTRY_CHANGED}; all live on that
 * verticle's event loop, so the subscribers need no locking. An event goes to the feeds of the alert's responsible
 * doctor and, once it was escalated, of the doctors at the organisations it was escalated to. A feed ends when the
 * token it was opened with expires or is revoked, or its doctor is deactivated.
 */
public final class AlertsApi {

    private static final Logger LOG = LoggerFactory.getLogger(AlertsApi.class);

    private static final int PAGE_MAX = 500;
    private static final int NOTE_MAX = 2_000;
    /** Longer than a week is not a snooze: resolve the alert, or change the care plan. */
    static final Duration MAX_SNOOZE = Duration.ofDays(7);
    /** How a doctor closes an alert; {@code auto_cleared} is the engine's own and not accepted here. */
    static final List<String> DISPOSITIONS = List.of("contacted_patient", "visited_patient", "referred",
            "treatment_adjusted", "false_alarm", "no_action_needed");

    private final Vertx vertx;
    private final AlertStore store;
    private final AuditLog audit;
    private final AlertingMetrics metrics;
    private final Clock clock;
    private final Duration heartbeat;
    private final FeedAccess feedAccess;
    private final LiveFeeds feeds;

    public AlertsApi(Vertx vertx, AlertStore store, FeedAccess feedAccess, AuditLog audit, AlertingMetrics metrics,
            Clock clock, Duration heartbeat) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.store = Objects.requireNonNull(store, "store");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
        this.feedAccess = Objects.requireNonNull(feedAccess, "feedAccess");
        this.feeds = new LiveFeeds(metrics, clock);
    }

    /** Mounts the routes; call on the event loop of the HTTP verticle that serves them. */
    public void mount(Router api) {
        api.get("/alerts").handler(this::list);
        api.get("/alerts/:id").handler(this::one);
        api.post("/alerts/:id/ack").handler(this::acknowledge);
        api.post("/alerts/:id/resolve").handler(this::resolve);
        api.get("/alerts/:id/transitions").handler(this::transitions);
        api.post("/alerts/:id/snooze").handler(this::snooze);
        api.get("/doctors/:id/alerts/stream").handler(this::stream);
        vertx.eventBus().<JsonObject>consumer(Addresses.ALERT_CHANGED, msg -> feeds.deliver(msg.body()));
        vertx.eventBus().<JsonObject>consumer(Addresses.REGISTRY_CHANGED, msg -> feeds.onRegistryChange(msg.body()));
        vertx.setPeriodic(heartbeat.toMillis(), id -> heartbeat());
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
                AlertStore.Access access = store.access(id, scope);
                if (access == AlertStore.Access.NONE) {
                    throw ApiException.notFound("alert " + id);
                }
                if (act && access != AlertStore.Access.ACT) {
                    throw ApiException.conflict(null, "alert " + id + " belongs to a patient no longer in your care");
                }
            }
            return action.call();
        }, false);
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
                        store.list(scope, doctorId, status, patientId, before, limit)), false)
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
        actionable(ctx, id, () -> store.acknowledge(id, by, clock.instant()))
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
        actionable(ctx, id, () -> store.resolve(id, by, disposition, note, clock.instant()))
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
        String reader = Principal.of(ctx).name();
        owned(ctx, id, () -> {
            java.util.Optional<JsonArray> items = store.transitions(id);
            java.util.Optional<JsonObject> alert = items.isPresent() ? store.alert(id) : java.util.Optional.empty();
            if (alert.isPresent()) {
                audit.append(new AuditLog.Event(reader, "alert.read", "alert", id, alert.get().getLong("patientId"), null));
            }
            return items;
        })
                .onSuccess(found -> found.ifPresentOrElse(items -> ctx.json(new JsonObject().put("items", items)),
                        () -> ctx.fail(ApiException.notFound("alert " + id))))
                .onFailure(ctx::fail);
    }

    private void stream(RoutingContext ctx) {
        long doctorId = Json.pathId(ctx, "id", "doctor");
        Principal who = Principal.of(ctx);
        Long scope = who.doctorId();
        if (scope != null && scope != doctorId) {
            throw new ApiException(403, "forbidden", null, "a doctor may follow only her own alert feed");
        }
        vertx.executeBlocking(() -> store.doctorOrganisation(doctorId), false).onSuccess(organisation -> {
            if (organisation.isEmpty()) {
                ctx.fail(ApiException.notFound("doctor " + doctorId));
                return;
            }
            if (ctx.response().closed()) {
                // Gone while we looked her up: a close handler registered now would never run.
                return;
            }
            HttpServerResponse response = ctx.response()
                    .setChunked(true)
                    .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache")
                    .putHeader("X-Accel-Buffering", "no");
            feeds.add(response, new LiveFeeds.Feed(doctorId, organisation.get(), who.tokenId(), who.expiresAt()));
            // An opening comment flushes the headers, so the client knows the feed is live.
            response.write(": feed for doctor " + doctorId + "\n\n");
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
        actionable(ctx, id, () -> store.snooze(id, by, until, reason, now))
                .onSuccess(change -> {
                    vertx.eventBus().publish(Addresses.ALERT_CHANGED,
                            new JsonObject().put("change", change.kind().wireName()).put("alert", change.alert()));
                    ctx.json(change.alert());
                })
                .onFailure(ctx::fail);
    }

    /**
     * Keeps feeds alive and ends those whose access was withdrawn: expired tokens by the clock, revoked tokens and
     * deactivated doctors by asking the database, in case the announcement did not reach this node.
     */
    private void heartbeat() {
        feeds.heartbeat();
        Set<Long> tokenIds = feeds.tokenIds();
        if (tokenIds.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        vertx.executeBlocking(() -> feedAccess.withdrawn(tokenIds, now), false)
                .onSuccess(feeds::closeTokens)
                .onFailure(e -> LOG.debug("Cannot check the tokens of open feeds: {}", e.toString()));
    }
}
