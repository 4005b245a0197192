package org.vigil.common.bus;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Codec for {@link PolledRecords}: locally the immutable records themselves are handed over; on the wire a count,
 * then each record as {@link ReadingBatchCodec} writes it, behind its length in bytes.
 */
public final class PolledRecordsCodec extends LocalObjectCodec<PolledRecords> {

    public static final String NAME = "vigil-polled-records";
    private final ReadingBatchCodec batches = new ReadingBatchCodec();

    public PolledRecordsCodec() {
        super(NAME);
    }

    @Override
    public void encodeToWire(Buffer buffer, PolledRecords polled) {
        buffer.appendInt(polled.records().size());
        for (ReadingBatch record : polled.records()) {
            int lengthAt = buffer.length();
            buffer.appendInt(0);
            batches.encodeToWire(buffer, record);
            buffer.setInt(lengthAt, buffer.length() - lengthAt - 4);
        }
    }

    @Override
    public PolledRecords decodeFromWire(int pos, Buffer buffer) {
        int count = buffer.getInt(pos);
        int at = pos + 4;
        List<ReadingBatch> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = buffer.getInt(at);
            records.add(batches.decodeFromWire(at + 4, buffer));
            at += 4 + length;
        }
        return new PolledRecords(records);
    }
}
