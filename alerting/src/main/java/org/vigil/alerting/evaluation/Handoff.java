package org.vigil.alerting.evaluation;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.common.bus.Addresses;
import org.vigil.common.bus.ReadingBatch;

/**
 * Cluster mode: stored batches go to the readings topic, where the owner of each patient's partition evaluates them,
 * instead of to this node's engine.
 *
 * <p>A batch's evaluation is taken care of once the brokers acknowledged all of its records: only then does its
 * part end in {@link EvaluationProgress}, so the stream's evaluation cursor moves only over batches Kafka holds. A
 * failed hand-off (brokers away) is tried again, with backoff, for as long as this node lives; if it dies first, its
 * stream is dead and the resume sweep of a surviving node hands the tail over from storage.
 *
 * <p>Confined to the alerting verticle's event loop.
 */
final class Handoff {

    private static final Logger LOG = LoggerFactory.getLogger(Handoff.class);
    /** Longer than the producer's own delivery timeout, so a reply means the brokers decided. */
    static final DeliveryOptions SEND = new DeliveryOptions().setSendTimeout(Duration.ofMinutes(3).toMillis());

    private final Vertx vertx;
    private final EvaluationProgress progress;
    private final AlertingMetrics metrics;

    Handoff(Vertx vertx, EvaluationProgress progress, AlertingMetrics metrics) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** A batch ingest stored: handed to the readings topic; its stream's progress passes it once Kafka has it. */
    void stored(ReadingBatch batch) {
        EvaluationProgress.Batch part = progress.begin(batch.stream(), batch.lastPosition(), 1);
        send(batch, 0, () -> progress.partEvaluated(part));
    }

    /** Hands {@code batch} over, trying again until the brokers have it, then runs {@code then}. */
    void send(ReadingBatch batch, int attempt, Runnable then) {
        if (attempt == 0) {
            metrics.handoffPending(1);
        }
        vertx.eventBus().request(Addresses.READINGS_HANDOFF, batch, SEND).onComplete(ar -> {
            if (ar.succeeded()) {
                metrics.handoffPending(-1);
                then.run();
                return;
            }
            metrics.handoffFailed();
            long delay = SignalWriter.backoff(attempt);
            if (attempt == 0 || attempt % 10 == 0) {
                LOG.warn("Readings not handed to the readings topic, trying again in {} ms [stream: {}, readings: {}]: {}",
                        delay, batch.stream(), batch.readings().size(), ar.cause().toString());
            }
            vertx.setTimer(delay, t -> send(batch, attempt + 1, then));
        });
    }
}
