package org.vigil.alerting.clinical;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;

/**
 * One patient's devices as the engine knows them: whether each is connected, when it was last in contact, which
 * metrics it measures, and when it last measured each. This answers two questions: is a reading part of a
 * stream, and, when data is missing, has the device that should send it been in contact at all.
 *
 * <p>A reading is part of a stream when the same device measured the same metric less than the stream gap
 * before, or when that device is a known streamer of the metric: once it has sent {@link #STREAMER_RUN}
 * readings in a row that close together. Without the second test the first sample of every wearable session
 * would count as a spot measurement; the run is long enough that a cuff whose patient repeats a measurement
 * never becomes a streamer.
 *
 * <p>Parallel primitive arrays, grown by doubling; a patient has a handful of devices.
 */
final class Devices {

    private static final long NONE = Long.MIN_VALUE;
    static final int STREAMER_RUN = 10;

    private long[] ids = new long[2];
    private boolean[] connected = new boolean[2];
    private long[] contact = new long[2];
    /** When the connection state in {@code connected} was reported: an older report cannot undo it. */
    private long[] stateAt = new long[2];
    private int[] metrics = new int[2];
    private long[] lastMeasured = filled(2 * Moment.METRICS);
    /** Per device and metric: readings in a row closer than the stream gap, saturating at the streamer run. */
    private byte[] run = new byte[2 * Moment.METRICS];
    /** Per device: bits of the metrics it is known to stream. */
    private int[] streams = new int[2];
    private int size;

    /** What {@link #onReading} makes of a reading. */
    enum Kind { SPOT, STREAM, DUPLICATE }

    /**
     * Records a reading and classifies it: a spot measurement, part of a stream, or a duplicate of the device's
     * newest reading of the metric (same device, metric and instant: the readings table's idempotency key, so a
     * redelivered message is not counted twice).
     */
    Kind onReading(long deviceId, Metric metric, long measuredAt, long receivedAt, long streamGap) {
        int i = index(deviceId);
        metrics[i] |= Moment.bit(metric);
        contact[i] = Math.max(contact[i], receivedAt);
        int slot = i * Moment.METRICS + metric.ordinal();
        long previous = lastMeasured[slot];
        if (previous == measuredAt) {
            return Kind.DUPLICATE;
        }
        if (previous == NONE || measuredAt > previous) {
            lastMeasured[slot] = measuredAt;
        }
        boolean close = previous != NONE && Math.abs(measuredAt - previous) < streamGap;
        if (!close) {
            run[slot] = 0;
            return (streams[i] & Moment.bit(metric)) == 0 ? Kind.SPOT : Kind.STREAM;
        }
        if (run[slot] < STREAMER_RUN && ++run[slot] == STREAMER_RUN) {
            streams[i] |= Moment.bit(metric);
        }
        return Kind.STREAM;
    }

    /**
     * Marks as streamers, from the start, the devices that stream a metric anywhere in {@code history} (in
     * measurement order). A rebuild's history starts wherever the lookback cuts it, often between a wearable's
     * sessions; the live engine had known the device for a streamer since its first session, so a replay that
     * learnt it only at the first session it holds would take the samples before that for spot measurements.
     */
    void learnStreamers(List<Reading> history, long streamGap) {
        Devices scratch = new Devices();
        for (Reading r : history) {
            scratch.onReading(r.deviceId(), r.metric(), r.measuredAt(), r.measuredAt(), streamGap);
        }
        for (int i = 0; i < scratch.size; i++) {
            if (scratch.streams[i] != 0) {
                streams[index(scratch.ids[i])] |= scratch.streams[i];
            }
        }
    }

    /** Writes every device with what is known of it; {@link #restore} reads it back. */
    void save(DataOutput out) throws IOException {
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            out.writeLong(ids[i]);
            out.writeBoolean(connected[i]);
            out.writeLong(contact[i]);
            out.writeLong(stateAt[i]);
            out.writeInt(metrics[i]);
            out.writeInt(streams[i]);
            for (int m = 0; m < Moment.METRICS; m++) {
                out.writeLong(lastMeasured[i * Moment.METRICS + m]);
                out.writeByte(run[i * Moment.METRICS + m]);
            }
        }
    }

    /** Devices as {@link #save} wrote them. */
    static Devices restore(DataInput in) throws IOException {
        Devices d = new Devices();
        int n = in.readInt();
        if (n < 0 || n > 1_000) {
            throw new IOException("state of " + n + " devices");
        }
        for (int k = 0; k < n; k++) {
            int i = d.index(in.readLong());
            d.connected[i] = in.readBoolean();
            d.contact[i] = in.readLong();
            d.stateAt[i] = in.readLong();
            d.metrics[i] = in.readInt();
            d.streams[i] = in.readInt();
            for (int m = 0; m < Moment.METRICS; m++) {
                d.lastMeasured[i * Moment.METRICS + m] = in.readLong();
                d.run[i * Moment.METRICS + m] = in.readByte();
            }
        }
        return d;
    }

    /** Takes the connection reports of {@code other} that are newer than this one's (see {@link #onConnection}). */
    void adoptConnections(Devices other) {
        for (int i = 0; i < other.size; i++) {
            if (other.stateAt[i] != NONE) {
                onConnection(other.ids[i], other.connected[i], other.stateAt[i]);
            }
        }
    }

    /** Whether the device has measured the metric before, as far as this patient's state goes back. */
    boolean hasMeasured(long deviceId, Metric metric) {
        for (int i = 0; i < size; i++) {
            if (ids[i] == deviceId) {
                return lastMeasured[i * Moment.METRICS + metric.ordinal()] != NONE;
            }
        }
        return false;
    }

    /**
     * A connection change at {@code at}. One older than the newest known is news of the past (a state read from
     * storage before a restarted node corrected it, say) and changes nothing.
     */
    void onConnection(long deviceId, boolean isConnected, long at) {
        int i = index(deviceId);
        if (at < stateAt[i]) {
            return;
        }
        connected[i] = isConnected;
        stateAt[i] = at;
        contact[i] = Math.max(contact[i], at);
    }

    /**
     * Whether a device that measures the metric (any device, if none is known to) is connected now or has been
     * in contact after {@code since}. A disconnection counts as contact at that time.
     */
    boolean contactSince(Metric metric, long since) {
        boolean anyMeasures = measures(metric);
        for (int i = 0; i < size; i++) {
            if (anyMeasures && (metrics[i] & Moment.bit(metric)) == 0) {
                continue;
            }
            if (connected[i] || contact[i] > since) {
                return true;
            }
        }
        return false;
    }

    /** The last contact of a device that measures the metric (or of any device), or {@code Long.MIN_VALUE}. */
    long lastContact(Metric metric) {
        boolean anyMeasures = measures(metric);
        long last = NONE;
        for (int i = 0; i < size; i++) {
            if (!anyMeasures || (metrics[i] & Moment.bit(metric)) != 0) {
                last = Math.max(last, contact[i]);
            }
        }
        return last;
    }

    private boolean measures(Metric metric) {
        for (int i = 0; i < size; i++) {
            if ((metrics[i] & Moment.bit(metric)) != 0) {
                return true;
            }
        }
        return false;
    }

    private int index(long deviceId) {
        for (int i = 0; i < size; i++) {
            if (ids[i] == deviceId) {
                return i;
            }
        }
        if (size == ids.length) {
            int n = size * 2;
            ids = Arrays.copyOf(ids, n);
            connected = Arrays.copyOf(connected, n);
            contact = Arrays.copyOf(contact, n);
            stateAt = Arrays.copyOf(stateAt, n);
            metrics = Arrays.copyOf(metrics, n);
            streams = Arrays.copyOf(streams, n);
            run = Arrays.copyOf(run, n * Moment.METRICS);
            long[] grown = filled(n * Moment.METRICS);
            System.arraycopy(lastMeasured, 0, grown, 0, lastMeasured.length);
            lastMeasured = grown;
        }
        ids[size] = deviceId;
        contact[size] = NONE;
        stateAt[size] = NONE;
        return size++;
    }

    private static long[] filled(int n) {
        long[] a = new long[n];
        Arrays.fill(a, NONE);
        return a;
    }
}
