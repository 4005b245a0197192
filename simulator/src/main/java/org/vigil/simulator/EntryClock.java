package org.vigil.simulator;

import java.util.Arrays;

/**
 * Picks the timestamp of the newest entry of each message one device sends, so that no two entries
 * the device ever sends share a millisecond. The server keys readings by device, metric and time and
 * stores a repeat once, so a repeat would make the readings sent and the readings stored disagree.
 *
 * <p>With one entry per message it is enough for the timestamps to increase. With a batch of
 * {@code n} entries spaced one second apart, a message ending at {@code t} covers
 * {@code t, t-1000, ..., t-(n-1)*1000}: all with the same millisecond-of-second, in the {@code n}
 * seconds up to {@code t}. Two messages collide exactly when they share the millisecond-of-second and
 * their second ranges overlap, so the clock remembers, per millisecond-of-second, the last second used
 * and moves a new end forward by milliseconds until it is clear. {@link SimulatorConfig} keeps a device
 * under 1000 entries a second, so the clock stays close to the wall clock.
 *
 * <p>Not thread-safe: one clock per device, used by the pacer thread.
 */
final class EntryClock {

    private final int batch;
    /** Last second used for each millisecond-of-second; only needed (and allocated) for batches. */
    private final long[] lastSecond;
    private long lastEnd = Long.MIN_VALUE;

    EntryClock(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1 (was " + batch + ")");
        }
        this.batch = batch;
        this.lastSecond = batch > 1 ? new long[1000] : null;
        if (lastSecond != null) {
            Arrays.fill(lastSecond, Long.MIN_VALUE);
        }
    }

    /** The end timestamp for the next message: {@code nowMillis} unless that would repeat a timestamp. */
    long nextEnd(long nowMillis) {
        long end = lastEnd == Long.MIN_VALUE ? nowMillis : Math.max(nowMillis, lastEnd + 1);
        if (lastSecond != null) {
            while (lastSecond[(int) (end % 1000)] > end / 1000 - batch) {
                end++;
            }
            lastSecond[(int) (end % 1000)] = end / 1000;
        }
        lastEnd = end;
        return end;
    }
}
