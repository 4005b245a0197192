package org.vigil.ingest.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.vigil.ingest.payload.Rejection;

/** Ingest metrics in Micrometer; meters are created once, so the hot path only increments. */
public final class MicrometerIngestMetrics implements IngestMetrics {

    public static final String READINGS_STORED = "vigil.ingest.readings.stored";
    public static final String READINGS_DUPLICATE = "vigil.ingest.readings.duplicate";
    public static final String READINGS_REJECTED = "vigil.ingest.readings.rejected";
    public static final String BATCH_WRITE = "vigil.ingest.batch.write";
    public static final String BATCH_READINGS = "vigil.ingest.batch.readings";
    public static final String BATCH_FAILURES = "vigil.ingest.batch.failures";
    public static final String BATCH_STAGED = "vigil.ingest.batch.staged";
    public static final String CONNECTIONS = "vigil.mqtt.connections";
    public static final String CONNECTS_REFUSED = "vigil.mqtt.connects.refused";
    public static final String CLOSED_SILENT = "vigil.mqtt.connections.closed.silent";
    public static final String CLOSED_CREDENTIALS = "vigil.mqtt.connections.closed.credentials";
    public static final String THROTTLED = "vigil.mqtt.throttled";
    public static final String TAKEN_OVER = "vigil.mqtt.connections.taken.over";
    public static final String MESSAGES = "vigil.ingest.messages";
    public static final String MESSAGE_LATENCY = "vigil.ingest.message.latency";
    public static final String WRITER_QUEUED = "vigil.ingest.writer.queued";
    public static final String WRITER_CAPACITY = "vigil.ingest.writer.capacity";
    /** From sub-millisecond when idle to the seconds of a database outage (then nothing is acknowledged at all). */
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final MeterRegistry registry;
    private final Counter messages;
    private final Timer messageLatency;
    private final Counter stored;
    private final Counter duplicate;
    private final Map<Rejection, Counter> rejected = new EnumMap<>(Rejection.class);
    private final Timer batchWrite;
    private final DistributionSummary batchReadings;
    private final Counter batchFailures;
    private final Counter batchStaged;
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();
    private final Counter closedSilent;
    private final Counter closedForCredentials;
    private final Counter throttled;
    private final Counter takenOver;

    /** @param connections the node's open device connections, read when scraped (the gate counts them) */
    public MicrometerIngestMetrics(MeterRegistry registry, IntSupplier connections) {
        this.registry = registry;
        this.messages = counter(MESSAGES, "PUBLISH messages received from authenticated devices");
        this.messageLatency = Timer.builder(MESSAGE_LATENCY)
                .description("Time from a message's arrival to the commit of its readings, when its PUBACK is released")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        this.stored = counter(READINGS_STORED, "Readings committed to storage");
        this.duplicate = counter(READINGS_DUPLICATE,
                "Readings already stored (redelivered after a lost PUBACK), dropped");
        for (Rejection r : Rejection.values()) {
            rejected.put(r, counter(READINGS_REJECTED, "Values or messages turned away, by reason", "reason", r.tag()));
        }
        this.batchWrite = Timer.builder(BATCH_WRITE)
                .description("Time to commit one batch of readings")
                .publishPercentileHistogram().register(registry);
        this.batchReadings = DistributionSummary.builder(BATCH_READINGS)
                .description("Readings per committed batch").register(registry);
        this.batchFailures = counter(BATCH_FAILURES, "Batches that failed on the database side and were retried");
        this.batchStaged = counter(BATCH_STAGED,
                "Batches written through the staging table because they held repeats or followed one that did");
        // Micrometer holds a gauge's object weakly; the supplier is a method reference nothing else keeps, so
        // without a strong reference the gauge reads NaN after the first full GC.
        Gauge.builder(CONNECTIONS, connections, IntSupplier::getAsInt)
                .strongReference(true)
                .description("Open device connections").register(registry);
        this.closedSilent = counter(CLOSED_SILENT, "Connections closed for staying silent past the keep-alive limit");
        this.closedForCredentials = counter(CLOSED_CREDENTIALS,
                "Connections closed because the device's secret was rotated or the device revoked");
        this.throttled = counter(THROTTLED, "Pauses in reading a device that published faster than its rate");
        this.takenOver = counter(TAKEN_OVER,
                "Connections closed because a newer connection of the same device took over");
        // Registered now, so a refusal rate reads 0 rather than nothing until the first refusal.
        for (String reason : CONNECT_REFUSAL_REASONS) {
            connectRefused(reason, 0);
        }
    }

    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    @Override
    public void throttled() {
        throttled.increment();
    }

    @Override
    public void takenOver() {
        takenOver.increment();
    }

    /**
     * Exports the writers' queues: messages waiting, read when scraped, against the most they hold. When the
     * queues are full new messages are refused, so their filling is the early sign of a slow database.
     */
    public void writerQueue(IntSupplier queued, int capacity) {
        Gauge.builder(WRITER_QUEUED, queued, IntSupplier::getAsInt)
                .strongReference(true)
                .description("Messages waiting for the database in the writers' queues").register(registry);
        Gauge.builder(WRITER_CAPACITY, () -> capacity)
                .description("Messages the writers' queues hold in all").register(registry);
    }

    @Override
    public void messageReceived() {
        messages.increment();
    }

    @Override
    public void messageStored(long nanos) {
        messageLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void closedForCredentials() {
        closedForCredentials.increment();
    }

    @Override
    public void closedSilent() {
        closedSilent.increment();
    }

    @Override
    public void readingsStored(int count) {
        stored.increment(count);
    }

    @Override
    public void readingsDuplicate(int count) {
        duplicate.increment(count);
    }

    @Override
    public void rejected(Rejection reason, int count) {
        rejected.get(reason).increment(count);
    }

    @Override
    public void batchWritten(int readings, long nanos) {
        batchWrite.record(nanos, TimeUnit.NANOSECONDS);
        batchReadings.record(readings);
    }

    @Override
    public void batchStaged() {
        batchStaged.increment();
    }

    @Override
    public void batchFailed() {
        batchFailures.increment();
    }

    @Override
    public void connectRefused(String reason) {
        connectRefused(reason, 1);
    }

    private void connectRefused(String reason, int count) {
        refused.computeIfAbsent(reason, r -> counter(CONNECTS_REFUSED, "MQTT connections refused, by reason",
                "reason", r)).increment(count);
    }
}
