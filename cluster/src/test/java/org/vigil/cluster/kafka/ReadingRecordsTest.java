package org.vigil.cluster.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;

@Timeout(10)
class ReadingRecordsTest {

    /** Verifies that a batch splits into one record per patient, keyed by patient, each in the batch's order. */
    @Test
    void aBatchBecomesOneRecordPerPatientInOrder() {
        Reading a1 = new Reading(1, 10, Metric.HEART_RATE, 1_000, 71);
        Reading b1 = new Reading(2, 20, Metric.HEART_RATE, 1_000, 88);
        Reading a2 = new Reading(1, 10, Metric.HEART_RATE, 2_000, 72);
        ReadingBatch batch = new ReadingBatch(5, (5L << 32) + 3, List.of(a1, b1, a2));

        List<ProducerRecord<String, byte[]>> records = ReadingRecords.byPatient("vigil.readings", batch);

        assertThat(records).extracting(ProducerRecord::key).containsExactly("10", "20");
        assertThat(records).extracting(ProducerRecord::topic).containsOnly("vigil.readings");
        ReadingBatch first = ReadingRecords.decode(records.get(0).value());
        assertThat(first.readings()).containsExactly(a1, a2);
        assertThat(first.stream()).isEqualTo(5);
        assertThat(first.lastPosition()).isEqualTo((5L << 32) + 3);
        assertThat(ReadingRecords.decode(records.get(1).value()).readings()).containsExactly(b1);
    }
}
