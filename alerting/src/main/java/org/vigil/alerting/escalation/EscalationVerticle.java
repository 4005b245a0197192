package org.vigil.alerting.escalation;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.AlertChange;
import org.vigil.alerting.store.EscalationStore;
import org.vigil.common.app.PeriodicJob;
import org.vigil.common.bus.Addresses;

/**
 * Follows up critical alerts nobody acknowledged: every sweep it asks the store for alerts whose last notice is
 * older than the escalation interval, which re-sends each to the responsible doctor and escalates it one tier up
 * (township, then county), and publishes what changed for the feeds and webhooks. It first moves active alerts
 * whose patient has changed doctor, should the registry's event of that change have been missed. Due alerts are locked with
 * {@code SKIP LOCKED}, so several nodes may sweep without reminding twice.
 */
public final class EscalationVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(EscalationVerticle.class);
    /** Alerts handled per transaction; a larger backlog is worked off in consecutive sweeps. */
    private static final int BATCH = 500;

    private final EscalationStore store;
    private final AlertingMetrics metrics;
    private final Clock clock;
    private final Duration escalateAfter;
    private final Duration sweepInterval;
    private PeriodicJob<List<AlertChange>> job;

    public EscalationVerticle(EscalationStore store, AlertingMetrics metrics, Clock clock, Duration escalateAfter,
            Duration sweepInterval) {
        this.store = Objects.requireNonNull(store, "store");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.escalateAfter = Objects.requireNonNull(escalateAfter, "escalateAfter");
        this.sweepInterval = Objects.requireNonNull(sweepInterval, "sweepInterval");
    }

    @Override
    public Future<?> start() {
        job = new PeriodicJob<>(vertx, sweepInterval, this::sweep, ar -> {
            if (ar.failed()) {
                LOG.warn("Escalation sweep failed, next sweep retries: {}", ar.cause().toString());
                return;
            }
            publish(ar.result());
            if (ar.result().size() >= BATCH) {
                job.run();
            }
        });
        job.start(false);
        return Future.succeededFuture();
    }

    /** One sweep, on a worker thread: what moved and what escalated. */
    private List<AlertChange> sweep() throws SQLException {
        // Alerts still with a doctor the patient has left (the contract event was lost) move first, so escalation
        // climbs the right tree.
        List<AlertChange> changes = new ArrayList<>(store.rerouteStale(clock.instant()));
        changes.addAll(store.escalateDue(clock.instant(), escalateAfter, BATCH));
        return changes;
    }

    private void publish(List<AlertChange> changes) {
        for (AlertChange change : changes) {
            JsonObject alert = change.alert();
            switch (change.kind()) {
                case TIER_ESCALATED -> metrics.escalatedToTier();
                case REROUTED -> metrics.rerouted();
                default -> metrics.reminded();
            }
            LOG.info("Alert {} [alert: {}, patient: {}, doctor: {}, escalated to: {}]", change.kind().wireName(),
                    alert.getLong("id"), alert.getLong("patientId"), alert.getLong("doctorId"),
                    alert.getJsonArray("escalatedTo"));
            vertx.eventBus().publish(Addresses.ALERT_CHANGED,
                    new JsonObject().put("change", change.kind().wireName()).put("alert", alert));
        }
    }

    @Override
    public Future<?> stop() {
        if (job != null) {
            job.stop();
        }
        return Future.succeededFuture();
    }
}
