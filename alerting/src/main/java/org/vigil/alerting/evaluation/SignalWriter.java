package org.vigil.alerting.evaluation;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.AlertChange;
import org.vigil.alerting.store.AlertSignalStore;
import org.vigil.common.bus.Addresses;
import org.vigil.common.db.SqlErrors;
import org.vigil.common.model.Severity;

/**
 * Records the engine's signals as alerts, in the order the engine produced them, and announces what changed.
 *
 * <p>One transaction at a time: everything queued while the previous one ran goes into the next (up to
 * {@link #MAX_BATCH}). While the database is unavailable the head is retried with backoff: the readings are
 * stored, so the alert they warrant must not be lost. A batch that fails for another reason is retried signal by
 * signal, so one bad signal is dropped (logged and counted) without the others. Every signal that leaves the
 * queue, recorded or dropped, is reported to {@link EvaluationProgress}. Opened, escalated and resolved alerts are
 * published on {@link Addresses#ALERT_CHANGED} after their commit.
 *
 * <p>Confined to the alerting verticle's event loop; JDBC runs on workers.
 */
final class SignalWriter {

    private static final Logger LOG = LoggerFactory.getLogger(SignalWriter.class);
    static final int MAX_BATCH = 1_000;
    private static final long MAX_RETRY_DELAY_MS = 5_000;

    private final Vertx vertx;
    private final AlertSignalStore store;
    private final AlertingMetrics metrics;
    private final Clock clock;
    private final EvaluationProgress progress;
    private final ArrayDeque<AlertSignal> unwritten = new ArrayDeque<>();
    private boolean writing;

    SignalWriter(Vertx vertx, AlertSignalStore store, AlertingMetrics metrics, Clock clock, EvaluationProgress progress) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.store = Objects.requireNonNull(store, "store");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /** Queues signals behind those already queued. */
    void write(List<AlertSignal> signals) {
        if (signals.isEmpty()) {
            return;
        }
        for (AlertSignal s : signals) {
            if (s.kind() == AlertSignal.Kind.FLAP_SUPPRESSED) {
                metrics.flapSuppressed();
            }
        }
        unwritten.addAll(signals);
        progress.signalsQueued(signals.size());
        if (!writing) {
            writeNext();
        }
    }

    /** Completes once everything queued is recorded, or at {@code deadlineNanos}, whichever comes first. */
    Future<Void> drained(long deadlineNanos) {
        if ((!writing && unwritten.isEmpty()) || System.nanoTime() > deadlineNanos) {
            if (writing || !unwritten.isEmpty()) {
                LOG.warn("Stopping with {} alert signals unwritten", unwritten.size());
            }
            return Future.succeededFuture();
        }
        return vertx.timer(20).compose(v -> drained(deadlineNanos));
    }

    private void writeNext() {
        if (unwritten.isEmpty()) {
            writing = false;
            return;
        }
        writing = true;
        List<AlertSignal> batch = new ArrayList<>(Math.min(unwritten.size(), MAX_BATCH));
        while (!unwritten.isEmpty() && batch.size() < MAX_BATCH) {
            batch.add(unwritten.poll());
        }
        apply(batch, 0);
    }

    private void apply(List<AlertSignal> batch, int attempt) {
        vertx.executeBlocking(() -> store.apply(batch, clock.instant()), false)
                .onSuccess(changes -> {
                    progress.signalsFinished(batch.size());
                    announce(changes);
                    writeNext();
                })
                .onFailure(e -> {
                    metrics.recordFailed();
                    if (SqlErrors.isTransient(e)) {
                        long delay = backoff(attempt);
                        LOG.warn("Cannot record {} alert signals, retrying in {} ms: {}", batch.size(), delay, e.toString());
                        vertx.setTimer(delay, t -> apply(batch, attempt + 1));
                    } else if (batch.size() > 1) {
                        // One bad signal must not take the others with it: retry them one by one, in order.
                        for (int i = batch.size() - 1; i >= 0; i--) {
                            unwritten.addFirst(batch.get(i));
                        }
                        applySingly(batch.size());
                    } else {
                        dropped(batch.get(0), e);
                        writeNext();
                    }
                });
    }

    private void applySingly(int remaining) {
        if (remaining == 0 || unwritten.isEmpty()) {
            writeNext();
            return;
        }
        AlertSignal s = unwritten.poll();
        vertx.executeBlocking(() -> store.apply(List.of(s), clock.instant()), false)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        progress.signalsFinished(1);
                        announce(ar.result());
                        applySingly(remaining - 1);
                    } else if (SqlErrors.isTransient(ar.cause())) {
                        unwritten.addFirst(s);
                        metrics.recordFailed();
                        vertx.setTimer(backoff(0), t -> applySingly(remaining));
                    } else {
                        metrics.recordFailed();
                        dropped(s, ar.cause());
                        applySingly(remaining - 1);
                    }
                });
    }

    private void dropped(AlertSignal s, Throwable cause) {
        LOG.error("Alert signal cannot be recorded and is dropped [patient: {}, rule: {}, kind: {}]",
                s.patientId(), s.ruleId(), s.kind(), cause);
        progress.signalsFinished(1);
    }

    static long backoff(int attempt) {
        return Math.min(MAX_RETRY_DELAY_MS, 100L << Math.min(attempt, 10));
    }

    /** Counts and publishes recorded changes: opened, escalated, resolved and rerouted alerts. */
    void announce(List<AlertChange> changes) {
        for (AlertChange change : changes) {
            JsonObject alert = change.alert();
            switch (change.kind()) {
                case OPENED -> metrics.opened(alert.getString("rule"), Severity.fromWire(alert.getString("severity")));
                case ESCALATED -> metrics.escalated();
                case RESOLVED -> metrics.resolved(true);
                case REROUTED -> metrics.rerouted();
                default -> {
                    continue;
                }
            }
            LOG.info("Alert {} [alert: {}, patient: {}, doctor: {}, rule: {}, severity: {}, late: {}]",
                    change.kind().wireName(), alert.getLong("id"), alert.getLong("patientId"),
                    alert.getLong("doctorId"), alert.getString("rule"), alert.getString("severity"),
                    alert.getBoolean("late"));
            vertx.eventBus().publish(Addresses.ALERT_CHANGED, new JsonObject()
                    .put("change", change.kind().wireName())
                    .put("alert", alert));
        }
    }
}
