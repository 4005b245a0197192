package org.vigil.ingest.store;

/**
 * How long a writer shard waits for more messages before it commits a small batch: Kafka's {@code linger.ms},
 * made adaptive.
 *
 * <p>Group commit alone makes batches grow only when the database is the bottleneck. At everyday rates (a few
 * thousand messages a second per shard) each transaction then carries a handful of readings, and the fixed cost
 * of a commit (WAL flush, round trips, the stream's bookkeeping) is paid again and again: measured at 10,000
 * msg/s, ten times the cost per reading of a saturated writer. Waiting a few milliseconds for the next messages
 * amortises that cost over many readings.
 *
 * <p>Waiting only pays when more messages are due within the budget. The shard reports each batch it takes;
 * from them this class keeps a smoothed arrival rate, and lingers just long enough for the batch to reach
 * {@code target} readings at that rate, never longer than {@code budget}, and not at all when fewer than
 * {@link #MIN_EXPECTED} readings would arrive in the budget (a quiet clinic's reading is written at once).
 * Under saturation the queue already holds a full batch and nothing waits either.
 *
 * <p>Confined to its shard's thread; times are {@link System#nanoTime()} values passed in, so tests need no clock.
 */
final class Linger {

    /** Readings expected within the budget below which waiting would add latency for nothing. */
    static final double MIN_EXPECTED = 2.0;
    /** Weight of the newest batch in the smoothed rate. */
    private static final double ALPHA = 0.2;

    private final long budgetNanos;
    private final int target;
    private double readingsPerNano;
    private long lastBatchStart = Long.MIN_VALUE;

    /**
     * @param budgetNanos longest wait for more messages; 0 turns lingering off (pure group commit)
     * @param target      batch size, in readings, at which a commit's fixed cost is amortised
     */
    Linger(long budgetNanos, int target) {
        if (budgetNanos < 0 || target < 1) {
            throw new IllegalArgumentException("budget must be >= 0 and target >= 1");
        }
        this.budgetNanos = budgetNanos;
        this.target = target;
    }

    /** Whether a batch of {@code readings} is worth waiting on. */
    boolean wantsMore(int readings) {
        return readings < target;
    }

    /** How long to wait for more, given {@code readings} already in the batch. */
    long waitNanos(int readings) {
        if (budgetNanos == 0 || readings >= target || readingsPerNano * budgetNanos < MIN_EXPECTED) {
            return 0;
        }
        return Math.min(budgetNanos, (long) ((target - readings) / readingsPerNano));
    }

    /**
     * Records a batch that started at {@code start} with {@code readings}: they arrived since the previous batch
     * started, which gives the arrival rate.
     */
    void taken(int readings, long start) {
        if (lastBatchStart != Long.MIN_VALUE) {
            long interval = Math.max(1, start - lastBatchStart);
            double rate = (double) readings / interval;
            readingsPerNano = readingsPerNano == 0 ? rate : ALPHA * rate + (1 - ALPHA) * readingsPerNano;
        }
        lastBatchStart = start;
    }

    /** The smoothed arrival rate, readings per second; for tests and logs. */
    double readingsPerSecond() {
        return readingsPerNano * 1e9;
    }
}
