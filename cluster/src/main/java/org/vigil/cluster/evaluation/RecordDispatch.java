package org.vigil.cluster.evaluation;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.cluster.kafka.ReadingRecords;
import org.vigil.cluster.kafka.RecordPump;
import org.vigil.common.bus.Addresses;
import org.vigil.common.bus.PolledRecords;
import org.vigil.common.bus.ReadingBatch;

/**
 * Hands a poll of the readings topic to alerting, on the pump's thread, as one request to
 * {@link Addresses#EVALUATE_READINGS}: every record of the poll, each one patient's readings, a partition's in
 * offset order. Alerting takes them in that order, so each patient's readings are evaluated in the order they were
 * stored, while one patient whose history is still being read holds up only her own records, and the first records
 * of many such patients have their histories read together. The pump's thread waits for the answer; if it fails or
 * the poll's time runs out, this throws: the pump hands the whole poll over again and commits nothing of it. What
 * was evaluated of it is then evaluated again, which alerting's idempotent application absorbs.
 */
record RecordDispatch(EventBus bus, PumpCalls calls, Duration pollTimeout) implements RecordPump.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(RecordDispatch.class);

    @Override
    public void handle(ConsumerRecords<String, byte[]> records) throws Exception {
        List<ReadingBatch> batches = new ArrayList<>(records.count());
        for (TopicPartition tp : records.partitions()) {
            for (ConsumerRecord<String, byte[]> record : records.records(tp)) {
                try {
                    batches.add(ReadingRecords.decode(record.value()));
                } catch (RuntimeException e) {
                    // Retrying cannot mend it, and it must not hold up the patients behind it.
                    LOG.warn("Unreadable readings record skipped [partition: {}, offset: {}, key: {}]: {}",
                            tp.partition(), record.offset(), record.key(), e.toString());
                }
            }
        }
        if (batches.isEmpty()) {
            return;
        }
        PolledRecords polled = new PolledRecords(batches);
        DeliveryOptions options = new DeliveryOptions().setSendTimeout(pollTimeout.toMillis());
        calls.await(() -> bus.request(Addresses.EVALUATE_READINGS, polled, options).mapEmpty(), pollTimeout);
    }
}
