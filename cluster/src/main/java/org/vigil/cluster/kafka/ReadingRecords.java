package org.vigil.cluster.kafka;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.bus.ReadingBatchCodec;
import org.vigil.common.model.Reading;

/**
 * Stored readings as records of the readings topic, for evaluation partitioned by patient (docs/cluster.md).
 *
 * <p>A committed batch becomes one record per patient, keyed by the patient's id, so the default partitioner puts
 * all of a patient's readings on one partition, in commit order. Each record is a {@link ReadingBatch} of that
 * patient's readings with the batch's stream and last log position, in the event bus's binary layout
 * ({@link ReadingBatchCodec}): the owner of the partition hands it to its engine as ingest hands a batch today, and
 * can tell from the stream and position whether a rebuild from storage already included it.
 */
public final class ReadingRecords {

    private static final ReadingBatchCodec CODEC = new ReadingBatchCodec();

    private ReadingRecords() {
    }

    /** One record per patient of the batch, in the order the patients first appear in it. */
    public static List<ProducerRecord<String, byte[]>> byPatient(String topic, ReadingBatch batch) {
        Map<Long, List<Reading>> parts = new LinkedHashMap<>();
        for (Reading r : batch.readings()) {
            parts.computeIfAbsent(r.patientId(), k -> new ArrayList<>()).add(r);
        }
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(parts.size());
        parts.forEach((patientId, readings) -> {
            Buffer buffer = Buffer.buffer();
            CODEC.encodeToWire(buffer, new ReadingBatch(batch.stream(), batch.lastPosition(), readings));
            records.add(new ProducerRecord<>(topic, Long.toString(patientId), buffer.getBytes()));
        });
        return records;
    }

    /** The patient's readings a record carries, with their batch's stream and last position. */
    public static ReadingBatch decode(byte[] value) {
        return CODEC.decodeFromWire(0, Buffer.buffer(value));
    }
}
