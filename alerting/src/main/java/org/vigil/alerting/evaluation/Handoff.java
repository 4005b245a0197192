package org.vigil.alerting.evaluation;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;
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

    private record Retry(ReadingBatch batch, Runnable then) {
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
    /** Readings read back from storage at a time. */
    static final int PAGE = 2_000;
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
    /** First tries of each stream's batches not yet answered. */
    private final Map<Long, Integer> firstTries = new HashMap<>();
    /** Streams with failed batches, which are tried again by position; present until the last is through. */
    private final Map<Long, TreeMap<Long, Retry>> retries = new HashMap<>();
    private final Map<Long, Spill> spills = new HashMap<>();
    private int held;
    /** Why hand-offs fail, for {@code /health}, or null: written on the event loop, read from any thread. */
    private volatile String trouble;

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
        if (spill == null && (held >= heldBound || retries.containsKey(stream))) {
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
        send(batch, () -> progress.partEvaluated(part));
    }

    /** Hands {@code batch} over, trying again until the brokers have it, then runs {@code then}. */
    void send(ReadingBatch batch, Runnable then) {
        long stream = batch.stream();
        metrics.handoffPending(1);
        held += batch.readings().size();
        waiting.merge(stream, 1, Integer::sum);
        firstTries.merge(stream, 1, Integer::sum);
        request(batch, then, 0);
    }

    /**
     * One try. A first try that fails joins its stream's retries, which go in log order, one at a time, once no
     * first try of the stream is out any more: batches tried again each on its own timer could land in any order.
     */
    private void request(ReadingBatch batch, Runnable then, int attempt) {
        long stream = batch.stream();
        vertx.eventBus().request(Addresses.READINGS_HANDOFF, batch, SEND).onComplete(ar -> {
            if (attempt == 0) {
                firstTries.merge(stream, -1, Integer::sum);
            }
            if (ar.succeeded()) {
                acknowledged(batch, then);
            } else {
                metrics.handoffFailed();
                trouble = "readings are stored and acknowledged but not handed to the readings topic (the Kafka"
                        + " brokers do not take them): their evaluation waits";
                if (attempt == 0 || attempt % 10 == 0) {
                    LOG.warn("Readings not handed to the readings topic, trying again [stream: {}, readings: {},"
                            + " attempt: {}]: {}", stream, batch.readings().size(), attempt + 1, ar.cause().toString());
                }
                if (attempt > 0) {
                    // Still the first of the stream's retries: the same one again, later.
                    vertx.setTimer(SignalWriter.backoff(attempt), t -> request(batch, then, attempt + 1));
                    return;
                }
                retries.computeIfAbsent(stream, k -> new TreeMap<>()).put(batch.lastPosition(), new Retry(batch, then));
            }
            if (attempt > 0 || firstTries.getOrDefault(stream, 0) == 0) {
                // After a failure the brokers get a moment; after a success the next goes at once.
                retryNext(stream, attempt == 0);
            }
        });
    }

    /** Why hand-offs fail now, or null when the brokers take them and nothing waits in storage. Any thread. */
    String trouble() {
        return trouble;
    }

    private void settled() {
        // Runs on every acknowledged hand-off: nothing to look at unless a failure was seen.
        if (trouble != null && spills.isEmpty() && retries.values().stream().allMatch(TreeMap::isEmpty)) {
            trouble = null;
        }
    }

    /** The next of the stream's retries, in log order. */
    private void retryNext(long stream, boolean pause) {
        TreeMap<Long, Retry> queue = retries.get(stream);
        if (queue == null || firstTries.getOrDefault(stream, 0) > 0) {
            return;
        }
        if (queue.isEmpty()) {
            retries.remove(stream);
            catchUp();
            return;
        }
        Retry next = queue.pollFirstEntry().getValue();
        if (pause) {
            vertx.setTimer(SignalWriter.backoff(0), t -> request(next.batch(), next.then(), 1));
        } else {
            request(next.batch(), next.then(), 1);
        }
    }

    private void acknowledged(ReadingBatch batch, Runnable then) {
        long stream = batch.stream();
        metrics.handoffPending(-1);
        held -= batch.readings().size();
        if (waiting.merge(stream, -1, Integer::sum) == 0) {
            waiting.remove(stream);
            firstTries.remove(stream);
        }
        then.run();
        settled();
        catchUp();
    }

    /** Reads back each spilled stream with nothing of it waiting, once the brokers take hand-offs again. */
    private void catchUp() {
        if (spills.isEmpty() || held >= heldBound / 2) {
            return;
        }
        for (Map.Entry<Long, Spill> e : new ArrayList<>(spills.entrySet())) {
            if (!e.getValue().catchingUp && !waiting.containsKey(e.getKey())) {
                e.getValue().catchingUp = true;
                readBack(e.getKey(), e.getValue());
            }
        }
    }

    private void readBack(long stream, Spill spill) {
        handOverStored(stream, spill.after, () -> spill.end, since, new StoredEnd() {
            @Override
            public void done(long through, int handed) {
                finish(stream, spill);
            }

            @Override
            public void failed(long through, Throwable cause) {
                spill.after = through;
                LOG.warn("Spilled readings of stream {} not read back, trying again: {}", stream, cause.toString());
                vertx.setTimer(SignalWriter.backoff(3), t -> readBack(stream, spill));
            }
        });
    }

    /** How a hand-over from storage ended: each reports the position handed through. */
    interface StoredEnd {
        void done(long through, int handed);

        void failed(long through, Throwable cause);
    }

    /**
     * Hands a stream's stored readings above {@code after} over, page by page in log order, up to {@code upTo}: a
     * dead stream's tail, or a spilled range. {@code upTo} is read at each page; readings above it are on their way
     * here as batches. Done once a page finds nothing more while {@code upTo} stayed where it was when the read
     * began (everything up to it was committed before that read).
     */
    void handOverStored(long stream, long after, LongSupplier upTo, Supplier<Instant> since, StoredEnd end) {
        pageStored(stream, after, upTo, since, 0, end);
    }

    private void pageStored(long stream, long after, LongSupplier upTo, Supplier<Instant> since, int handed,
            StoredEnd end) {
        long endAtRead = upTo.getAsLong();
        vertx.executeBlocking(() -> tail.read(stream, after, since.get(), PAGE), false).onComplete(ar -> {
            if (ar.failed()) {
                end.failed(after, ar.cause());
                return;
            }
            List<Reading> readings = new ArrayList<>();
            long last = after;
            for (LoggedReading r : ar.result()) {
                if (r.position() <= upTo.getAsLong()) {
                    readings.add(r.reading());
                    last = r.position();
                }
            }
            if (readings.isEmpty()) {
                if (upTo.getAsLong() == endAtRead) {
                    end.done(after, handed);
                } else {
                    pageStored(stream, after, upTo, since, handed, end);
                }
                return;
            }
            long through = last;
            send(new ReadingBatch(stream, through, readings),
                    () -> pageStored(stream, through, upTo, since, handed + readings.size(), end));
        });
    }

    /** The spilled range is handed over: the stream's own batches go straight on again, and its cursor may pass. */
    private void finish(long stream, Spill spill) {
        spills.remove(stream);
        settled();
        EvaluationProgress.Batch part = progress.begin(stream, spill.end, 1);
        progress.partEvaluated(part);
        LOG.info("Stream {} caught up: {} spilled readings handed over from storage, up to position {}", stream,
                spill.readings, spill.end);
    }
}
