package org.vigil.alerting.engine;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.rules.RuleHit;
import org.vigil.alerting.rules.ThresholdEvaluator;
import org.vigil.alerting.store.AlertStore;
import org.vigil.common.bus.Addresses;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.db.SqlErrors;
import org.vigil.common.model.Reading;
import org.vigil.common.model.Severity;

/**
 * Evaluates every stored reading against the rules and turns hits into alerts.
 *
 * <p>Evaluation is pure and runs on the event loop; only hits reach the database, folded to one write
 * per patient and rule per batch, on a worker in arrival order. Alerts that a doctor must hear of
 * (opened, escalated) are published on {@link Addresses#ALERT_CHANGED} for every node's live feeds. While
 * the database is unavailable the hits are retried with backoff: the readings are already stored, so the
 * alert they warrant must not be lost.
 */
public final class AlertingVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(AlertingVerticle.class);
    private static final long MAX_RETRY_DELAY_MS = 5_000;

    private final ThresholdEvaluator evaluator;
    private final AlertStore store;
    private final AlertingMetrics metrics;
    private final Clock clock;
    private MessageConsumer<ReadingBatch> consumer;

    public AlertingVerticle(ThresholdEvaluator evaluator, AlertStore store, AlertingMetrics metrics, Clock clock) {
        this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
        this.store = Objects.requireNonNull(store, "store");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Future<?> start() {
        consumer = vertx.eventBus().consumer(Addresses.READINGS_STORED, msg -> evaluate(msg.body().readings()));
        return consumer.completion();
    }

    private void evaluate(List<Reading> readings) {
        metrics.evaluated(readings.size());
        List<RuleHit> hits = new ArrayList<>();
        for (Reading r : readings) {
            hits.addAll(evaluator.evaluate(r));
        }
        if (!hits.isEmpty()) {
            record(EpisodeHit.fold(hits), 0);
        }
    }

    private void record(List<EpisodeHit> hits, int attempt) {
        vertx.executeBlocking(() -> store.record(hits, clock.instant()), true)
                .onSuccess(this::announce)
                .onFailure(e -> {
                    metrics.recordFailed();
                    if (!SqlErrors.isTransient(e)) {
                        LOG.error("Rule hits cannot be recorded and are dropped [hits: {}]", hits.size(), e);
                        return;
                    }
                    long delay = Math.min(MAX_RETRY_DELAY_MS, 100L << Math.min(attempt, 10));
                    LOG.warn("Cannot record {} rule hits, retrying in {} ms: {}", hits.size(), delay, e.toString());
                    vertx.setTimer(delay, t -> record(hits, attempt + 1));
                });
    }

    private void announce(List<AlertStore.Change> changes) {
        for (AlertStore.Change change : changes) {
            if (change.kind() == AlertStore.ChangeKind.REPEATED) {
                continue;
            }
            JsonObject alert = change.alert();
            if (change.kind() == AlertStore.ChangeKind.OPENED) {
                metrics.opened(Severity.fromWire(alert.getString("severity")));
            } else {
                metrics.escalated();
            }
            LOG.info("Alert {} [alert: {}, patient: {}, doctor: {}, rule: {}, severity: {}]",
                    change.kind().name().toLowerCase(Locale.ROOT), alert.getLong("id"), alert.getLong("patientId"),
                    alert.getLong("doctorId"), alert.getString("rule"), alert.getString("severity"));
            vertx.eventBus().publish(Addresses.ALERT_CHANGED, new JsonObject()
                    .put("change", change.kind().name().toLowerCase(Locale.ROOT))
                    .put("alert", alert));
        }
    }

    @Override
    public Future<?> stop() {
        return consumer == null ? Future.succeededFuture() : consumer.unregister();
    }
}
