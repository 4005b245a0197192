package org.vigil.alerting.evaluation;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.EvaluationLog.LoggedReading;
import org.vigil.common.bus.Addresses;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.model.Reading;

/**
 * Cluster mode: stored batches go to the readings topic, where the owner of each patient's partition evaluates them,
 * instead of to this node's engine.
 *
 * <p>A batch's evaluation is taken care of once the brokers acknowledged all of its records: only then does its
 * part end in {@link EvaluationProgress}, so the stream's evaluation cursor moves only over batches Kafka holds. A
 * failed hand-off (brokers away) is tried again, with backoff, for as long as this node lives; if it dies first, its
 * stream is dead and the resume sweep of a surviving node hands the tail over from storage.
 *
 * <p><b>While the brokers are away</b> ingest goes on storing and acknowledging, so what waits for them is bounded:
 * once {@link #HELD_READINGS} readings wait, or a batch of the stream failed and is being tried again, a stream's
 * further batches are not kept ({@code spilled}: storage has them). When nothing of the stream waits any more and the
 * held readings are below half the bound, the spilled range is read back from storage in log order and handed over
 * page by page, and only then does the cursor pass it. So memory stays bounded through an outage of any length, and
 * a patient's readings reach the topic in the order they were stored: a newer record overtaking an older one would
 * make the evaluator skip the older as already seen.
 *
 * <p>Confined to the alerting verticle's event loop.
 */
final class Handoff {

    /** Reads a page of a stream's log above a position, measured since a time, in log order (blocking). */
    @FunctionalInterface
    interface StoredTail {
        List<LoggedReading> read(long stream, long after, Instant since, int limit) throws Exception;
    }

    /** A stream whose batches since {@code after} are in storage only, up to {@code end}. */
    private static final class Spill {
        long after;
        long end;
        int readings;
        boolean catchingUp;

        Spill(long after) {
            this.after = after;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Handoff.class);
    /** Longer than the producer's own delivery timeout, so a reply means the brokers decided. */
    static final DeliveryOptions SEND = new DeliveryOptions().setSendTimeout(Duration.ofMinutes(3).toMillis());
    /** About 25 s of a province's average rate, a few megabytes. */
    static final int HELD_READINGS = 50_000;

    private final Vertx vertx;
    private final EvaluationProgress progress;
    private final AlertingMetrics metrics;
    private final StoredTail tail;
    private final Supplier<Instant> since;
    private final int heldBound;
    private final Map<Long, Long> lastSeen = new HashMap<>();
    /** Batches of each stream not yet acknowledged. */
    private final Map<Long, Integer> waiting = new HashMap<>();
    /** Streams with a batch being tried again. */
    private final Set<Long> failing = new HashSet<>();
    private final Map<Long, Spill> spills = new HashMap<>();
    private int held;

    /**
     * @param tail  where spilled readings are read back from
     * @param since the oldest reading worth handing over, as for dead streams' tails
     */
    Handoff(Vertx vertx, EvaluationProgress progress, AlertingMetrics metrics, StoredTail tail,
            Supplier<Instant> since, int heldReadings) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.tail = Objects.requireNonNull(tail, "tail");
        this.since = Objects.requireNonNull(since, "since");
        this.heldBound = heldReadings;
    }

    /** A batch ingest stored: handed to the readings topic; its stream's progress passes it once Kafka has it. */
    void stored(ReadingBatch batch) {
        long stream = batch.stream();
        Long previous = lastSeen.put(stream, batch.lastPosition());
        Spill spill = spills.get(stream);
        if (spill == null && (held >= heldBound || failing.contains(stream))) {
            // Before its first batch seen here the stream's own cursor bounds what is read back.
            spill = new Spill(previous == null ? Long.MIN_VALUE : previous);
            spills.put(stream, spill);
            LOG.warn("Hand-offs waiting for the brokers [readings: {}]: stream {} from position {} is read back from"
                    + " storage once they are handed over", held, stream, spill.after);
        }
        if (spill != null) {
            spill.end = batch.lastPosition();
            spill.readings += batch.readings().size();
            metrics.handoffSpilled(batch.readings().size());
            return;
        }
        EvaluationProgress.Batch part = progress.begin(stream, batch.lastPosition(), 1);
        send(batch, 0, () -> progress.partEvaluated(part));
    }

    /** Hands {@code batch} over, trying again until the brokers have it, then runs {@code then}. */
    void send(ReadingBatch batch, int attempt, Runnable then) {
        long stream = batch.stream();
        if (attempt == 0) {
            metrics.handoffPending(1);
            held += batch.readings().size();
            waiting.merge(stream, 1, Integer::sum);
        }
        vertx.eventBus().request(Addresses.READINGS_HANDOFF, batch, SEND).onComplete(ar -> {
            if (ar.succeeded()) {
                metrics.handoffPending(-1);
                held -= batch.readings().size();
                if (waiting.merge(stream, -1, Integer::sum) == 0) {
                    waiting.remove(stream);
                    failing.remove(stream);
                }
                then.run();
                catchUp();
                return;
            }
            metrics.handoffFailed();
            failing.add(stream);
            long delay = SignalWriter.backoff(attempt);
            if (attempt == 0 || attempt % 10 == 0) {
                LOG.warn("Readings not handed to the readings topic, trying again in {} ms [stream: {}, readings: {}]: {}",
                        delay, stream, batch.readings().size(), ar.cause().toString());
            }
            vertx.setTimer(delay, t -> send(batch, attempt + 1, then));
        });
    }

    /** Reads back each spilled stream with nothing of it waiting, once the brokers take hand-offs again. */
    private void catchUp() {
        if (spills.isEmpty() || held >= heldBound / 2) {
            return;
        }
        for (Map.Entry<Long, Spill> e : new ArrayList<>(spills.entrySet())) {
            if (!e.getValue().catchingUp && !waiting.containsKey(e.getKey())) {
                e.getValue().catchingUp = true;
                page(e.getKey(), e.getValue());
            }
        }
    }

    private void page(long stream, Spill spill) {
        // Every reading up to the end known now was committed before this read begins.
        long endAtRead = spill.end;
        vertx.executeBlocking(() -> tail.read(stream, spill.after, since.get(), TailHandoff.PAGE), false)
                .onComplete(ar -> {
                    if (ar.failed()) {
                        LOG.warn("Spilled readings of stream {} not read back, trying again: {}", stream,
                                ar.cause().toString());
                        vertx.setTimer(SignalWriter.backoff(3), t -> page(stream, spill));
                        return;
                    }
                    List<Reading> readings = new ArrayList<>();
                    long last = spill.after;
                    for (LoggedReading r : ar.result()) {
                        // Above the end a batch is on its way here, and extends the spill when it comes.
                        if (r.position() <= spill.end) {
                            readings.add(r.reading());
                            last = r.position();
                        }
                    }
                    if (readings.isEmpty()) {
                        if (spill.end == endAtRead) {
                            finish(stream, spill);
                        } else {
                            page(stream, spill);
                        }
                        return;
                    }
                    long through = last;
                    send(new ReadingBatch(stream, through, readings), 0, () -> {
                        spill.after = through;
                        page(stream, spill);
                    });
                });
    }

    /** The spilled range is handed over: the stream's own batches go straight on again, and its cursor may pass. */
    private void finish(long stream, Spill spill) {
        spills.remove(stream);
        EvaluationProgress.Batch part = progress.begin(stream, spill.end, 1);
        progress.partEvaluated(part);
        LOG.info("Stream {} caught up: {} spilled readings handed over from storage, up to position {}", stream,
                spill.readings, spill.end);
    }
}
