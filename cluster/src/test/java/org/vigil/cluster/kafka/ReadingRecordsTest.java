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
        ReadingBatch second = ReadingRecords.decode(records.get(1).value());
        assertThat(second.readings()).containsExactly(b1);
        // Each record carries the position of its patient's last reading: b1 took position 2 of 1..3.
        assertThat(second.lastPosition()).isEqualTo((5L << 32) + 2);
    }

    /** Verifies that the patient's partition Vigil computes is the one Kafka's default partitioner picks. */
    @Test
    void patientPartitionsMatchKafkasDefaultPartitioner() {
        for (int partitions : new int[] {1, 3, 7, 48, 100}) {
            for (long patient = 0; patient < 5_000; patient += 7) {
                byte[] key = Long.toString(patient).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                int kafka = org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(key,
                        partitions);
                assertThat(org.vigil.common.cluster.PatientPartitions.of(patient, partitions))
                        .as("patient %d of %d partitions", patient, partitions).isEqualTo(kafka);
            }
        }
        assertThat(org.vigil.common.cluster.PatientPartitions.of(Long.MAX_VALUE, 48))
                .isEqualTo(org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(
                        Long.toString(Long.MAX_VALUE).getBytes(java.nio.charset.StandardCharsets.UTF_8), 48));
    }
}
