package org.vigil.alerting.clinical;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The measurement times of an episode's most recent clears (and back-in-range marks), as many as its policy's flap
 * count: an episode that cleared that often within the flap window and fires again is flapping.
 */
final class RecentClears {

    private static final long NONE = Episode.NONE;

    private final long[] times;
    private int next;

    RecentClears(int kept) {
        this.times = new long[Math.max(kept, 1)];
        Arrays.fill(times, NONE);
    }

    void record(long t) {
        times[next] = t;
        next = (next + 1) % times.length;
    }

    /** How many were in the {@code window} up to {@code t}. */
    int within(long t, long window) {
        int count = 0;
        for (long c : times) {
            if (c != NONE && c > t - window && c <= t) {
                count++;
            }
        }
        return count;
    }

    void forget() {
        Arrays.fill(times, NONE);
    }

    void save(DataOutput out) throws IOException {
        out.writeInt(times.length);
        for (long c : times) {
            out.writeLong(c);
        }
        out.writeInt(next);
    }

    void restore(DataInput in) throws IOException {
        int n = in.readInt();
        if (n != times.length) {
            throw new IOException("episode saved with " + n + " clears kept, the policy keeps " + times.length);
        }
        for (int i = 0; i < n; i++) {
            times[i] = in.readLong();
        }
        next = in.readInt();
    }
}
