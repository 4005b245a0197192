package org.vigil.cluster.kafka;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka consumer in a group, polled on a thread of its own, handing each poll's records to a handler on that
 * thread.
 *
 * <p>A {@link KafkaConsumer} is not thread-safe and its {@code poll} blocks, so it lives on this pump's thread and
 * nothing else touches it; {@link #close} wakes it up from outside, which Kafka allows. The handler and the
 * assignment listener run on that thread too and may block: a partition's records are handed over only after the
 * listener returned from its assignment (the place to rebuild state), and the next poll waits for the handler.
 *
 * <p>Where a partition is resumed depends on the {@link Offsets} mode. {@link Offsets#REMEMBERED}: the pump alone
 * in its group, committing nothing, resumes each partition after the last record its handler finished, so within
 * the pump's lifetime a record is handed over once. {@link Offsets#COMMITTED}: members share the partitions; the
 * pump commits a partition's offsets only after the handler returned for its records, and a failed handler's
 * records are handed over again; a partition given to another member resumes at the last commit, so what was
 * handled but not committed is handed over again (at least once: the handler must be idempotent).
 * {@link #ready()} completes once the first assignment has its positions.
 */
public final class RecordPump implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecordPump.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration BACKOFF = Duration.ofSeconds(1);

    /** Where a partition is resumed; see the class description. */
    public enum Offsets { REMEMBERED, COMMITTED }

    /** Receives each poll's records on the pump's thread; may block (that only delays the next poll). */
    @FunctionalInterface
    public interface Handler {
        void handle(ConsumerRecords<String, byte[]> records) throws Exception;
    }

    /** Told of partitions given to and taken from this pump, on its thread; may block. */
    public interface AssignmentListener {
        void assigned(Collection<TopicPartition> partitions);

        void revoked(Collection<TopicPartition> partitions);
    }

    private final Consumer<String, byte[]> consumer;
    private final List<String> topics;
    private final Handler handler;
    private final AssignmentListener listener;
    private final Offsets offsets;
    private final Thread thread;
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile boolean running = true;
    private volatile boolean started;
    private volatile boolean crashed;
    private MetersRefresh meters;

    public RecordPump(Map<String, Object> consumerConfig, List<String> topics, Handler handler,
            AssignmentListener listener, Offsets offsets, String threadName) {
        this(new KafkaConsumer<>(consumerConfig), topics, handler, listener, offsets, threadName);
    }

    RecordPump(Consumer<String, byte[]> consumer, List<String> topics, Handler handler, AssignmentListener listener,
            Offsets offsets, String threadName) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.topics = List.copyOf(topics);
        this.handler = Objects.requireNonNull(handler, "handler");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.offsets = Objects.requireNonNull(offsets, "offsets");
        this.thread = Thread.ofPlatform().name(threadName).daemon().unstarted(this::run);
    }

    /** Starts polling; see {@link #ready()}. */
    public RecordPump start() {
        started = true;
        thread.start();
        return this;
    }

    /**
     * Kafka's own meters of this consumer, {@code records-lag} per partition among them, for
     * {@link org.vigil.cluster.metrics.ClusterMetrics#bind}; they go with {@link #close}. Reading them from another
     * thread is safe: the consumer's metrics map is concurrent and {@code metrics()} takes no lock.
     */
    public synchronized MeterBinder meters(Iterable<Tag> tags) {
        if (meters == null) {
            meters = new MetersRefresh(consumer, tags);
        }
        return meters.binder;
    }

    /**
     * How many partitions {@code topic} has now, as the brokers tell it. Only from the handler or the assignment
     * listener, which run on the pump's thread: the consumer is not thread-safe. May block on metadata.
     */
    public int partitionCount(String topic) {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("only on the pump's thread");
        }
        return consumer.partitionsFor(topic).size();
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
                if (!records.isEmpty()) {
                    handle(records);
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            ready.completeExceptionally(new IllegalStateException("pump closed"));
            consumer.close(crashed
                    // As a killed process would: no commit, no goodbye; the group notices at the session timeout.
                    ? CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP)
                            .withTimeout(Duration.ZERO)
                    : CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void handle(ConsumerRecords<String, byte[]> records) {
        boolean handled;
        try {
            handler.handle(records);
            handled = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return;
        } catch (CancellationException e) {
            // The handler's owner is stopping: nothing failed, the records are simply not done.
            LOG.debug("Handler cancelled on a poll's records [topics: {}]", topics);
            handled = false;
        } catch (Exception e) {
            LOG.warn("Handler failed on a poll's records [topics: {}]", topics, e);
            handled = false;
        }
        if (crashed) {
            return;
        }
        if (offsets == Offsets.REMEMBERED) {
            // A handler that fails here must not stall the others: the failure is its to count.
            for (TopicPartition tp : records.partitions()) {
                List<ConsumerRecord<String, byte[]>> list = records.records(tp);
                next.put(tp, list.get(list.size() - 1).offset() + 1);
            }
            return;
        }
        if (!handled) {
            // Hand the same records over again after a pause: nothing after them may be committed first.
            for (TopicPartition tp : records.partitions()) {
                consumer.seek(tp, records.records(tp).get(0).offset());
            }
            if (running) {
                sleep(BACKOFF);
            }
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> list = records.records(tp);
            done.put(tp, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        try {
            consumer.commitSync(done);
        } catch (RuntimeException e) {
            // The partitions moved on (a rebalance) or the broker is away: the next owner replays from the last
            // commit, which the idempotent handler absorbs.
            LOG.warn("Offsets not committed [topics: {}]: {}", topics, e.toString());
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                Long resume = offsets == Offsets.REMEMBERED ? next.get(tp) : null;
                if (resume != null) {
                    consumer.seek(tp, resume);
                } else {
                    // Resolves the starting offset now (committed, else auto.offset.reset), so "ready" means
                    // records produced from here on will be read.
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

    /**
     * Stops as a killed process would, for fault tests: from the handler's current records on, nothing more is
     * committed, and the pump leaves its partitions to the group's session timeout instead of leaving the group.
     */
    void crash() {
        crashed = true;
        running = false;
        consumer.wakeup();
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
        synchronized (this) {
            if (meters != null) {
                meters.close();
            }
        }
    }
}
