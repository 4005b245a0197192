package org.vigil.cluster.evaluation;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.cluster.kafka.ReadingRecords;
import org.vigil.cluster.kafka.RecordPump;
import org.vigil.common.bus.Addresses;
import org.vigil.common.bus.ReadingBatch;

/**
 * Hands a poll of the readings topic to alerting, on the pump's thread: each record, one patient's readings, is
 * requested to {@link Addresses#EVALUATE_READINGS}. A partition's records go one after another, each after the
 * previous one's reply, so a patient's readings are evaluated in the order they were stored; the partitions of a
 * poll go side by side. The pump's thread waits until every partition is done or stopped at its first failure,
 * and then, if any failed or the poll's time ran out, throws: the pump hands the whole poll over again and commits
 * nothing of it. What was evaluated before the failure is evaluated again, which alerting's idempotent application
 * absorbs.
 */
final class RecordDispatch implements RecordPump.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(RecordDispatch.class);

    private final EventBus bus;
    private final PumpCalls calls;
    private final Duration pollTimeout;

    RecordDispatch(EventBus bus, PumpCalls calls, Duration pollTimeout) {
        this.bus = Objects.requireNonNull(bus, "bus");
        this.calls = Objects.requireNonNull(calls, "calls");
        this.pollTimeout = Objects.requireNonNull(pollTimeout, "pollTimeout");
    }

    @Override
    public void handle(ConsumerRecords<String, byte[]> records) throws Exception {
        List<List<ReadingBatch>> partitions = new ArrayList<>();
        for (TopicPartition tp : records.partitions()) {
            List<ReadingBatch> batches = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : records.records(tp)) {
                try {
                    batches.add(ReadingRecords.decode(record.value()));
                } catch (RuntimeException e) {
                    // Retrying cannot mend it, and it must not hold up the patients behind it.
                    LOG.warn("Unreadable readings record skipped [partition: {}, offset: {}, key: {}]: {}",
                            tp.partition(), record.offset(), record.key(), e.toString());
                }
            }
            partitions.add(batches);
        }
        long deadline = System.nanoTime() + pollTimeout.toNanos();
        calls.await(() -> {
            List<Future<Void>> chains = new ArrayList<>(partitions.size());
            for (List<ReadingBatch> batches : partitions) {
                Future<Void> chain = Future.succeededFuture();
                for (ReadingBatch batch : batches) {
                    chain = chain.compose(v -> evaluate(batch, deadline));
                }
                chains.add(chain);
            }
            // join, not all: waits for every partition to settle, so a retry never overlaps a running chain.
            return Future.join(chains).mapEmpty();
        }, pollTimeout);
    }

    private Future<Void> evaluate(ReadingBatch batch, long deadline) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            return Future.failedFuture("the poll's evaluations took longer than " + pollTimeout);
        }
        return bus.request(Addresses.EVALUATE_READINGS, batch, new DeliveryOptions().setSendTimeout(left)).mapEmpty();
    }
}
