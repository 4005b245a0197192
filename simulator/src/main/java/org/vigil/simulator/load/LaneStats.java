package org.vigil.simulator.load;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.SingleWriterRecorder;
import org.HdrHistogram.ValueRecorder;

/**
 * Counters and PUBACK latency of one lane (one event loop, or the Paho pacer). Nothing here takes a lock:
 * counters are {@link LongAdder}s, and latency goes into an HdrHistogram recorder whose writers are
 * wait-free; the progress thread swaps out an interval histogram once a second and merges the lanes'.
 * A Vert.x lane records from its own event loop only, so it uses a {@link SingleWriterRecorder}; Paho
 * acknowledges on each client's own thread, so the Paho lane uses the multi-writer {@link Recorder}.
 *
 * <p>Latency is recorded in microseconds.
 */
public final class LaneStats {

    static final int SIGNIFICANT_DIGITS = 3;
    /** Ten minutes in microseconds: anything slower is clamped rather than lost. */
    static final long MAX_LATENCY_MICROS = 600_000_000L;

    final LongAdder offered = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder acknowledged = new LongAdder();
    final LongAdder pubacks = new LongAdder();
    final LongAdder qos0Sent = new LongAdder();
    final LongAdder readingsSent = new LongAdder();
    final LongAdder readingsAcknowledged = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder bufferedUploads = new LongAdder();
    final LongAdder connects = new LongAdder();
    final LongAdder inFlight = new LongAdder();
    final LongAdder connected = new LongAdder();
    private final LongAdder[] errors = new LongAdder[ErrorKind.values().length];
    private final ValueRecorder latency;
    private final boolean multiWriter;
    private Histogram recycled;

    /** @param multiWriter whether acknowledgements are recorded from more than one thread */
    public LaneStats(boolean multiWriter) {
        this.multiWriter = multiWriter;
        this.latency = multiWriter ? new Recorder(MAX_LATENCY_MICROS, SIGNIFICANT_DIGITS)
                : new SingleWriterRecorder(MAX_LATENCY_MICROS, SIGNIFICANT_DIGITS);
        for (int i = 0; i < errors.length; i++) {
            errors[i] = new LongAdder();
        }
    }

    void error(ErrorKind kind) {
        errors[kind.ordinal()].increment();
    }

    void errors(ErrorKind kind, long n) {
        errors[kind.ordinal()].add(n);
    }

    long errors(ErrorKind kind) {
        return errors[kind.ordinal()].sum();
    }

    /** A QoS 1 message holding {@code readings} values was acknowledged {@code nanos} after it was sent. */
    void puback(long nanos, int readings) {
        pubacks.increment();
        acknowledged.increment();
        readingsAcknowledged.add(readings);
        inFlight.decrement();
        latency.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(0, nanos / 1000)));
    }

    /**
     * Moves what was recorded since the last call into {@code into}. Called by the progress thread only.
     */
    void drainLatency(Histogram into) {
        Histogram interval = multiWriter ? ((Recorder) latency).getIntervalHistogram(recycled)
                : ((SingleWriterRecorder) latency).getIntervalHistogram(recycled);
        into.add(interval);
        recycled = interval;
    }
}
