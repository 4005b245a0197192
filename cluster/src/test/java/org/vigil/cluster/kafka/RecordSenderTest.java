package org.vigil.cluster.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class RecordSenderTest {

    /**
     * A producer whose cluster is away: each send waits (here until the test lets it go, in Kafka for
     * {@code max.block.ms}) and then reports through the callback that the record could not be queued, as
     * {@code KafkaProducer} does when it gets no metadata.
     */
    private static final class BrokersAway extends MockProducer<String, byte[]> {
        final AtomicInteger sends = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);

        BrokersAway() {
            super(true, null, new StringSerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
            sends.incrementAndGet();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            TimeoutException timeout = new TimeoutException("Topic t not present in metadata after 60000 ms.");
            callback.onCompletion(null, timeout);
            return CompletableFuture.failedFuture(timeout);
        }
    }

    @Test
    void recordsQueuedBehindOneThatWaitedInVainFailWithItWithoutWaitingThemselves() throws Exception {
        BrokersAway producer = new BrokersAway();
        try (RecordSender sender = new RecordSender(producer, "test-sender")) {
            List<CompletableFuture<RecordMetadata>> queued = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                queued.add(sender.send(new ProducerRecord<>("t", "patient-" + i, new byte[] {1})));
            }
            producer.release.countDown();
            for (CompletableFuture<RecordMetadata> f : queued) {
                assertThat(f).failsWithin(10, TimeUnit.SECONDS).withThrowableThat()
                        .withCauseInstanceOf(TimeoutException.class);
            }
            assertThat(producer.sends).as("only the first waited for the brokers").hasValue(1);

            CompletableFuture<RecordMetadata> later = sender.send(new ProducerRecord<>("t", "patient-9", new byte[] {1}));
            assertThat(later).failsWithin(10, TimeUnit.SECONDS);
            assertThat(producer.sends).as("a record queued after the failure gets a try of its own").hasValue(2);
        }
    }
}
