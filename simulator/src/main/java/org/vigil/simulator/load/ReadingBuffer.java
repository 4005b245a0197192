package org.vigil.simulator.load;

import java.util.Arrays;

/**
 * Readings a device took while it could not send (offline, or before its first connection), uploaded as one
 * batch when it is back: the "buffered upload" real devices do. Bounded like a device's flash: past
 * {@value #CAPACITY} entries the oldest are dropped (and counted). Allocated only when first needed.
 */
final class ReadingBuffer {

    static final int CAPACITY = 1000;

    private final int width;
    private long[] ts = new long[8];
    private double[] values;
    private int start;
    private int size;

    ReadingBuffer(int width) {
        this.width = width;
        this.values = new double[8 * width];
    }

    /** Adds an entry; returns true if the oldest had to be dropped to make room. */
    boolean add(long time, double[] entry) {
        boolean dropped = false;
        if (size == CAPACITY) {
            start++;
            size--;
            dropped = true;
        }
        if (start + size == ts.length) {
            if (start > 0) {
                System.arraycopy(ts, start, ts, 0, size);
                System.arraycopy(values, start * width, values, 0, size * width);
                start = 0;
            } else {
                ts = Arrays.copyOf(ts, Math.min(CAPACITY, ts.length * 2));
                values = Arrays.copyOf(values, ts.length * width);
            }
        }
        int at = start + size;
        ts[at] = time;
        System.arraycopy(entry, 0, values, at * width, width);
        size++;
        return dropped;
    }

    int size() {
        return size;
    }

    long time(int i) {
        return ts[start + i];
    }

    /** Copies entry {@code i} into {@code out}. */
    void values(int i, double[] out) {
        System.arraycopy(values, (start + i) * width, out, 0, width);
    }

    void clear() {
        start = 0;
        size = 0;
    }
}
