package org.vigil.simulator;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters and acknowledgement latency for a run. Paho calls back on one thread per client, so
 * everything here is safe to update from many threads at once.
 *
 * <p>Latency is recorded in microseconds into a {@link Recorder}: recording never blocks, and each
 * {@link #takeInterval()} hands out what was recorded since the last call (for the per-second progress
 * line) while adding it to the run's total.
 */
final class LoadStats {

    private static final int SIGNIFICANT_DIGITS = 3;

    private final LongAdder sent = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder failedAfterSend = new LongAdder();
    private final LongAdder readings = new LongAdder();
    private final Recorder latency = new Recorder(SIGNIFICANT_DIGITS);
    private final Histogram total = new Histogram(SIGNIFICANT_DIGITS);

    /** The client accepted a message holding {@code values} readings. */
    void sent(int values) {
        sent.increment();
        readings.add(values);
    }

    /** The client refused a message (too many in flight, not connected). */
    void refused() {
        refused.increment();
    }

    /** A sent message was acknowledged {@code latencyNanos} after it was handed to the client. */
    void acknowledged(long latencyNanos) {
        acknowledged.increment();
        latency.recordValue(Math.max(0, latencyNanos / 1000));
    }

    /** A sent message failed to be delivered (connection lost, client closed). */
    void failedAfterSend() {
        failedAfterSend.increment();
    }

    long sent() {
        return sent.sum();
    }

    long acknowledged() {
        return acknowledged.sum();
    }

    long readings() {
        return readings.sum();
    }

    /** Refused plus failed after sending. */
    long failed() {
        return refused.sum() + failedAfterSend.sum();
    }

    /**
     * Counts read together for a progress line. Outcomes are read before {@code sent}, so a message
     * acknowledged between the reads can never show more acknowledged than sent.
     */
    record Counts(long sent, long acknowledged, long failed, long inFlight) {
    }

    Counts counts() {
        long acked = acknowledged.sum();
        long lost = failedAfterSend.sum();
        long refusedCount = refused.sum();
        long sentCount = sent.sum();
        return new Counts(sentCount, acked, refusedCount + lost, Math.max(0, sentCount - acked - lost));
    }

    /** Sent messages with no outcome yet. */
    long outstanding() {
        return Math.max(0, sent.sum() - acknowledged.sum() - failedAfterSend.sum());
    }

    /** Latency recorded since the previous call (microseconds); also folded into {@link #totalLatency()}. */
    synchronized Histogram takeInterval() {
        Histogram interval = latency.getIntervalHistogram();
        total.add(interval);
        return interval;
    }

    /** All latency recorded so far (microseconds), including what no interval has taken yet. */
    synchronized Histogram totalLatency() {
        takeInterval();
        return total.copy();
    }
}
