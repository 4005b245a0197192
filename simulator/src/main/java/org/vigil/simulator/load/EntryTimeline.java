package org.vigil.simulator.load;

/**
 * Timestamps for the entries of one device's messages, strictly increasing over everything the device ever
 * sends. The server keys readings by patient, metric, time and device and stores a repeat once, so a repeated
 * timestamp would make the readings sent and the readings stored disagree.
 *
 * <p>A message of {@code n} entries covers the time since the device's previous message, sampled evenly at
 * most once a second and ending at the current time, like a wearable uploading the samples it took since its
 * last upload. Two longs per device, whatever the batch size. Not thread-safe: one per device, used by its lane.
 */
final class EntryTimeline {

    private long last = Long.MIN_VALUE;
    private long step;

    /** Plans {@code n} entries ending at or after {@code nowMillis}; read them with {@link #at(int, int)}. */
    long plan(long nowMillis, int n) {
        long from = last == Long.MIN_VALUE ? nowMillis - n * 1000L : last;
        step = Math.max(1, Math.min(1000, (nowMillis - from) / n));
        long first = nowMillis - (n - 1) * step;
        if (first <= from) {
            // Sending faster than one entry per millisecond: run a little ahead rather than repeat a time.
            first = from + 1;
        }
        last = first + (n - 1) * step;
        return first;
    }

    /** The timestamp of entry {@code i} of the last planned message, given its first. */
    long at(long first, int i) {
        return first + i * step;
    }
}
