package org.vigil.cluster.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka consumer in a group, polled on a thread of its own, handing each poll's records to a handler on that
 * thread.
 *
 * <p>A {@link KafkaConsumer} is not thread-safe and its {@code poll} blocks, so it lives on this pump's thread and
 * nothing else touches it; {@link #close} wakes it up from outside, which Kafka allows. The pump remembers, per
 * partition, the offset after the last record its handler finished. When the group gives it a partition again
 * (after a rebalance), it resumes there, so a record is handed over once in the pump's lifetime, never twice and
 * none skipped, whatever offsets the group committed. {@link #ready()} completes once the first assignment has
 * its positions, so a caller can wait until the pump really follows its topics.
 */
public final class RecordPump implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecordPump.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration BACKOFF = Duration.ofSeconds(1);

    /** Receives each poll's records on the pump's thread; may block (that only delays the next poll). */
    @FunctionalInterface
    public interface Handler {
        void handle(ConsumerRecords<String, byte[]> records) throws Exception;
    }

    /** Told of partitions given to and taken from this pump, on its thread. */
    public interface AssignmentListener {
        void assigned(Collection<TopicPartition> partitions);

        void revoked(Collection<TopicPartition> partitions);
    }

    private final Consumer<String, byte[]> consumer;
    private final List<String> topics;
    private final Handler handler;
    private final AssignmentListener listener;
    private final Thread thread;
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile boolean running = true;
    private volatile boolean started;

    public RecordPump(Map<String, Object> consumerConfig, List<String> topics, Handler handler,
            AssignmentListener listener, String threadName) {
        this(new KafkaConsumer<>(consumerConfig), topics, handler, listener, threadName);
    }

    RecordPump(Consumer<String, byte[]> consumer, List<String> topics, Handler handler, AssignmentListener listener,
            String threadName) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.topics = List.copyOf(topics);
        this.handler = Objects.requireNonNull(handler, "handler");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.thread = Thread.ofPlatform().name(threadName).daemon().unstarted(this::run);
    }

    /** Starts polling; see {@link #ready()}. */
    public RecordPump start() {
        started = true;
        thread.start();
        return this;
    }

    /** Completes once the pump holds its first assignment and knows where to read each partition from. */
    public CompletableFuture<Void> ready() {
        return ready;
    }

    private void run() {
        try {
            consumer.subscribe(topics, new Rebalance());
            while (running) {
                ConsumerRecords<String, byte[]> records;
                try {
                    records = consumer.poll(POLL);
                } catch (WakeupException e) {
                    break;
                } catch (RuntimeException e) {
                    LOG.warn("Kafka poll failed; retrying [topics: {}]", topics, e);
                    sleep(BACKOFF);
                    continue;
                }
                if (records.isEmpty()) {
                    continue;
                }
                try {
                    handler.handle(records);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (Exception e) {
                    // A handler that fails on a record must not stall the others: the failure is its to count.
                    LOG.warn("Handler failed on a poll's records [topics: {}]", topics, e);
                }
                for (TopicPartition tp : records.partitions()) {
                    List<ConsumerRecord<String, byte[]>> list = records.records(tp);
                    next.put(tp, list.get(list.size() - 1).offset() + 1);
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            ready.completeExceptionally(new IllegalStateException("pump closed"));
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                Long resume = next.get(tp);
                if (resume != null) {
                    consumer.seek(tp, resume);
                } else {
                    // Resolves the starting offset now (auto.offset.reset), so "ready" means records produced
                    // from here on will be read.
                    next.put(tp, consumer.position(tp));
                }
            }
            listener.assigned(partitions);
            // A member given no partition (more members than partitions) follows its topics all the same.
            ready.complete(null);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            listener.revoked(partitions);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops polling, leaves the group and waits for the pump's thread to end. */
    @Override
    public void close() {
        running = false;
        if (!started) {
            consumer.close();
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
