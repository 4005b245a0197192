package org.vigil.cluster.kafka;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.HashMap;
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
 * can tell from the stream and position whether a rebuild from storage already included it: a record's position is
 * that of the patient's last reading in the batch (a batch's readings take consecutive positions in list order, the
 * last one {@code lastPosition}), not the batch's.
 */
public final class ReadingRecords {

    private static final ReadingBatchCodec CODEC = new ReadingBatchCodec();

    private ReadingRecords() {
    }

    /** One record per patient of the batch, in the order the patients first appear in it. */
    public static List<ProducerRecord<String, byte[]>> byPatient(String topic, ReadingBatch batch) {
        Map<Long, List<Reading>> parts = new LinkedHashMap<>();
        Map<Long, Long> lastOf = new HashMap<>();
        List<Reading> all = batch.readings();
        long first = batch.lastPosition() - all.size() + 1;
        for (int i = 0; i < all.size(); i++) {
            Reading r = all.get(i);
            parts.computeIfAbsent(r.patientId(), k -> new ArrayList<>()).add(r);
            lastOf.put(r.patientId(), first + i);
        }
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(parts.size());
        parts.forEach((patientId, readings) -> {
            Buffer buffer = Buffer.buffer();
            CODEC.encodeToWire(buffer, new ReadingBatch(batch.stream(), lastOf.get(patientId), readings));
            records.add(new ProducerRecord<>(topic, Long.toString(patientId), buffer.getBytes()));
        });
        return records;
    }

    /** The patient's readings a record carries, with their stream and the position of the last one. */
    public static ReadingBatch decode(byte[] value) {
        return CODEC.decodeFromWire(0, Buffer.buffer(value));
    }
}
