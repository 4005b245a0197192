package org.vigil.alerting.clinical;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A time window of one metric for one patient, kept as buckets of fixed width in measurement-time order: count
 * and sum per bucket, and optionally the minimum and the count below a fixed threshold. Window rules ask it for
 * aggregates over any span ending at a reading's measurement time.
 *
 * <p>Memory is bounded twice: buckets older than {@code retention} before the newest are dropped, so at most
 * {@code retention / width + 2} exist; and buckets exist only where readings fell, so spot checks (a few a day)
 * cost a few entries while a 1 Hz stream costs one entry per bucket, never one per reading. The arrays are
 * primitive and grow by doubling from a small start.
 *
 * <p>Ordering: a reading normally lands in the newest bucket (O(1)). An out-of-order reading is merged into
 * its bucket wherever it is (binary search, and an O(n) shift when a new bucket must be inserted in the
 * middle), so windows stay exact at bucket resolution whatever the arrival order. A reading older than the
 * retention is dropped.
 *
 * <p>Window semantics: {@link #accumulate(long, long, Sums)} counts every bucket that overlaps the span, so a
 * window is exact to within one bucket width at its old end.
 */
final class AggregateRing {

    private static final int INITIAL = 4;

    private final long width;
    private final long retention;
    private final int maxBuckets;
    private final boolean trackMin;
    private final double belowThreshold;

    private long[] start;
    private int[] count;
    private double[] sum;
    private double[] min;
    private int[] below;
    private int head;
    private int size;
    private long newestAt = Long.MIN_VALUE;

    /**
     * @param width      bucket width, ms
     * @param retention  how far behind the newest bucket buckets are kept, ms
     * @param trackMin   keep each bucket's minimum
     * @param below      count values strictly below this ({@code NaN}: off)
     */
    AggregateRing(long width, long retention, boolean trackMin, double below) {
        if (width <= 0 || retention <= 0) {
            throw new IllegalArgumentException("width and retention must be positive");
        }
        this.width = width;
        this.retention = retention;
        this.maxBuckets = (int) Math.min(1 << 20, retention / width + 2);
        this.trackMin = trackMin;
        this.belowThreshold = below;
        allocate(Math.min(INITIAL, Integer.highestOneBit(maxBuckets - 1) << 1));
    }

    /** Aggregates over a span, written into a reused instance. */
    static final class Sums {
        int count;
        double sum;
        double min;
        int below;

        void reset() {
            count = 0;
            sum = 0;
            min = Double.POSITIVE_INFINITY;
            below = 0;
        }

        double mean() {
            return count == 0 ? Double.NaN : sum / count;
        }
    }

    /** Newest measurement time added, or {@link Long#MIN_VALUE}. */
    long newestAt() {
        return newestAt;
    }

    int buckets() {
        return size;
    }

    int capacity() {
        return start.length;
    }

    /** Adds a reading; returns false when it is older than the retention and was dropped. */
    boolean add(long t, double value) {
        long b = Math.floorDiv(t, width) * width;
        if (size == 0 || b > start[phys(size - 1)]) {
            append(b);
            merge(phys(size - 1), value);
            newestAt = Math.max(newestAt, t);
            return true;
        }
        if (b + width <= start[phys(size - 1)] - retention) {
            return false;
        }
        int i = search(b);
        if (i < size && start[phys(i)] == b) {
            merge(phys(i), value);
            newestAt = Math.max(newestAt, t);
            return true;
        }
        if (size == maxBuckets) {
            if (i == 0) {
                return false;
            }
            dropHead();
            i--;
        }
        insertAt(i, b);
        merge(phys(i), value);
        newestAt = Math.max(newestAt, t);
        return true;
    }

    /**
     * Adds into {@code out} the buckets overlapping {@code [from, to]}: those with {@code start <= to} and
     * {@code start + width > from}.
     */
    void accumulate(long from, long to, Sums out) {
        for (int i = newestStartingBy(to); i >= 0; i--) {
            int p = phys(i);
            if (start[p] + width <= from) {
                return;
            }
            out.count += count[p];
            out.sum += sum[p];
            if (trackMin && min[p] < out.min) {
                out.min = min[p];
            }
            if (below != null) {
                out.below += below[p];
            }
        }
    }

    /**
     * The distinct calendar days among the buckets overlapping {@code [from, to]} (the buckets
     * {@link #accumulate} counts), each bucket on the day its start falls in: exact when the zone's offset is a
     * whole number of bucket widths (China's UTC+8 with hour buckets), otherwise to within one bucket.
     */
    int days(long from, long to, CalendarDays calendar) {
        int days = 0;
        long previous = Long.MIN_VALUE;
        for (int i = newestStartingBy(to); i >= 0; i--) {
            long s = start[phys(i)];
            if (s + width <= from) {
                break;
            }
            // Buckets come newest first, so their days never increase: a new day is a change.
            long day = calendar.dayOf(s);
            if (day != previous) {
                days++;
                previous = day;
            }
        }
        return days;
    }

    /** The logical index of the newest bucket starting at or before {@code to}, or -1 when there is none. */
    private int newestStartingBy(long to) {
        int i = size - 1;
        while (i >= 0 && start[phys(i)] > to) {
            i--;
        }
        return i;
    }

    private void append(long b) {
        if (size == start.length) {
            if (size < maxBuckets) {
                grow();
            } else {
                dropHead();
            }
        }
        int p = phys(size);
        init(p, b);
        size++;
        long horizon = b - retention;
        while (size > 1 && start[head] + width <= horizon) {
            dropHead();
        }
    }

    private void insertAt(int i, long b) {
        if (size == start.length) {
            grow();
        }
        for (int j = size; j > i; j--) {
            copy(phys(j - 1), phys(j));
        }
        init(phys(i), b);
        size++;
    }

    /** Lowest logical index whose bucket start is at least {@code b}. */
    private int search(long b) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (start[phys(mid)] < b) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private void merge(int p, double value) {
        count[p]++;
        sum[p] += value;
        if (trackMin && value < min[p]) {
            min[p] = value;
        }
        if (below != null && value < belowThreshold) {
            below[p]++;
        }
    }

    private void init(int p, long b) {
        start[p] = b;
        count[p] = 0;
        sum[p] = 0;
        if (trackMin) {
            min[p] = Double.POSITIVE_INFINITY;
        }
        if (below != null) {
            below[p] = 0;
        }
    }

    private void copy(int from, int to) {
        start[to] = start[from];
        count[to] = count[from];
        sum[to] = sum[from];
        if (trackMin) {
            min[to] = min[from];
        }
        if (below != null) {
            below[to] = below[from];
        }
    }

    /** Writes the buckets and the newest time; {@link #restore} reads them into a ring of the same parameters. */
    void save(DataOutput out) throws IOException {
        out.writeInt(size);
        out.writeLong(newestAt);
        for (int i = 0; i < size; i++) {
            int p = phys(i);
            out.writeLong(start[p]);
            out.writeInt(count[p]);
            out.writeDouble(sum[p]);
            if (trackMin) {
                out.writeDouble(min[p]);
            }
            if (below != null) {
                out.writeInt(below[p]);
            }
        }
    }

    /** Replaces this ring's buckets with those {@link #save} wrote. */
    void restore(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > maxBuckets) {
            throw new IOException("ring of " + n + " buckets, at most " + maxBuckets + " expected");
        }
        int capacity = start.length;
        while (capacity < n) {
            capacity *= 2;
        }
        allocate(capacity);
        head = 0;
        size = n;
        newestAt = in.readLong();
        for (int i = 0; i < n; i++) {
            start[i] = in.readLong();
            count[i] = in.readInt();
            sum[i] = in.readDouble();
            if (trackMin) {
                min[i] = in.readDouble();
            }
            if (below != null) {
                below[i] = in.readInt();
            }
        }
    }

    private void dropHead() {
        head = (head + 1) & (start.length - 1);
        size--;
    }

    private int phys(int logical) {
        return (head + logical) & (start.length - 1);
    }

    private void grow() {
        long[] oldStart = start;
        int[] oldCount = count;
        double[] oldSum = sum;
        double[] oldMin = min;
        int[] oldBelow = below;
        // The buckets from head to the end of the old arrays come first, then those that wrapped to the front.
        int first = Math.min(size, oldStart.length - head);
        allocate(oldStart.length * 2);
        unwrap(oldStart, start, first);
        unwrap(oldCount, count, first);
        unwrap(oldSum, sum, first);
        unwrap(oldMin, min, first);
        unwrap(oldBelow, below, first);
        head = 0;
    }

    /** Copies one column (an array, or {@code null} when not kept) of the ring into a larger one, oldest first. */
    private void unwrap(Object from, Object to, int first) {
        if (from == null) {
            return;
        }
        System.arraycopy(from, head, to, 0, first);
        System.arraycopy(from, 0, to, first, size - first);
    }

    private void allocate(int capacity) {
        start = new long[capacity];
        count = new int[capacity];
        sum = new double[capacity];
        min = trackMin ? new double[capacity] : null;
        below = Double.isNaN(belowThreshold) ? null : new int[capacity];
    }
}
