package org.vigil.ingest.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.vigil.common.model.Reading;

/**
 * Readings encoded in PostgreSQL's binary {@code COPY} format for the columns
 * {@code (patient_id bigint, metric smallint, ts timestamptz, device_id bigint, value double precision,
 * log_pos bigint, context smallint)}; {@code context} is {@code NULL} (four bytes) for every reading without one.
 *
 * <p>Binary rather than text because the server then copies fixed-width values instead of parsing numbers and
 * timestamps, which is most of what a narrow row costs it. One buffer is reused for every batch of a writer,
 * so a batch allocates nothing per reading. Not thread-safe: one per writer thread. Public so that the ingest
 * benchmark's raw-COPY baseline sends PostgreSQL exactly the bytes the writer sends.
 */
public final class BinaryCopy {

    /** Signature, flags (no OIDs) and header-extension length, as the COPY documentation gives them. */
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final int ROW_BYTES = 2 + 7 * 4 + 8 + 2 + 8 + 8 + 8 + 8 + 2;
    /** timestamptz counts microseconds from 2000-01-01 UTC. */
    private static final long POSTGRES_EPOCH_MS = 946_684_800_000L;
    /** Beyond this a time in ms would overflow as microseconds; PostgreSQL's own range ends far earlier. */
    private static final long MAX_ABS_MS = Long.MAX_VALUE / 1000 - POSTGRES_EPOCH_MS;
    /**
     * Written for a time that cannot be represented: outside PostgreSQL's range but not its "infinity", so the
     * server refuses it (SQLSTATE 22008) and the writer isolates the message, as it would a text value it
     * could not parse. Wrapping around instead would store a wrong time without a word.
     */
    static final long OUT_OF_RANGE = Long.MAX_VALUE - 1;

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buffer = new byte[64 * 1024];
    private int length;

    /** Starts a new stream: the header and no rows. */
    public void reset() {
        System.arraycopy(HEADER, 0, buffer, 0, HEADER.length);
        length = HEADER.length;
    }

    /** Adds one row; {@code position} is the reading's place in its ingest log stream. */
    public void add(Reading r, long position) {
        ensure(ROW_BYTES);
        putShort((short) 7);
        putLongField(r.patientId());
        putInt(2);
        putShort((short) r.metric().code());
        putLongField(micros(r.measuredAt()));
        putLongField(r.deviceId());
        putLongField(Double.doubleToRawLongBits(r.value()));
        putLongField(position);
        int context = r.contextCode();
        if (context == 0) {
            putInt(-1);
        } else {
            putInt(2);
            putShort((short) context);
        }
    }

    /** Ends the stream with the trailer; {@link #bytes()} up to {@link #length()} is then complete. */
    public void finish() {
        ensure(2);
        putShort((short) -1);
    }

    public byte[] bytes() {
        return buffer;
    }

    public int length() {
        return length;
    }

    /** Microseconds since PostgreSQL's epoch, or {@link #OUT_OF_RANGE}. */
    static long micros(long epochMs) {
        if (epochMs > MAX_ABS_MS || epochMs < -MAX_ABS_MS) {
            return OUT_OF_RANGE;
        }
        return (epochMs - POSTGRES_EPOCH_MS) * 1000;
    }

    private void putLongField(long value) {
        putInt(8);
        LONG.set(buffer, length, value);
        length += 8;
    }

    private void putInt(int value) {
        INT.set(buffer, length, value);
        length += 4;
    }

    private void putShort(short value) {
        SHORT.set(buffer, length, value);
        length += 2;
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }
}
