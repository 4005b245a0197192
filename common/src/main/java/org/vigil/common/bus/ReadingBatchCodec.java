package org.vigil.common.bus;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.vigil.common.model.MeasurementContext;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;

/**
 * Fixed-width binary codec for {@link ReadingBatch}: 35 bytes a reading, no field names, so a batch of
 * thousands of readings crosses the clustered event bus cheaply. Locally the immutable batch itself is
 * handed over.
 *
 * <p>Layout: {@code long stream, long lastPosition, int count}, then per reading {@code long deviceId, long patientId, short metricCode,
 * long measuredAt, double value, byte context} (0: none).
 */
public final class ReadingBatchCodec extends LocalObjectCodec<ReadingBatch> {

    public static final String NAME = "vigil-reading-batch";
    private static final int READING_BYTES = 8 + 8 + 2 + 8 + 8 + 1;

    public ReadingBatchCodec() {
        super(NAME);
    }

    @Override
    public void encodeToWire(Buffer buffer, ReadingBatch batch) {
        List<Reading> readings = batch.readings();
        buffer.appendLong(batch.stream()).appendLong(batch.lastPosition()).appendInt(readings.size());
        for (Reading r : readings) {
            buffer.appendLong(r.deviceId())
                    .appendLong(r.patientId())
                    .appendShort((short) r.metric().code())
                    .appendLong(r.measuredAt())
                    .appendDouble(r.value())
                    .appendByte((byte) r.contextCode());
        }
    }

    @Override
    public ReadingBatch decodeFromWire(int pos, Buffer buffer) {
        long stream = buffer.getLong(pos);
        long lastPosition = buffer.getLong(pos + 8);
        int count = buffer.getInt(pos + 16);
        int at = pos + 20;
        List<Reading> readings = new ArrayList<>(count);
        for (int i = 0; i < count; i++, at += READING_BYTES) {
            readings.add(new Reading(
                    buffer.getLong(at),
                    buffer.getLong(at + 8),
                    Metric.byCode(buffer.getShort(at + 16)),
                    buffer.getLong(at + 18),
                    buffer.getDouble(at + 26),
                    MeasurementContext.byCode(buffer.getByte(at + 34))));
        }
        return new ReadingBatch(stream, lastPosition, readings);
    }
}
