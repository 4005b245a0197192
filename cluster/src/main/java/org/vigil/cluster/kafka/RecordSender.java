package org.vigil.cluster.kafka;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * One Kafka producer, fed from one thread of its own.
 *
 * <p>{@link KafkaProducer#send} can block: while it fetches a topic's metadata, or when its buffer is full (up to
 * {@code max.block.ms}). Callers on an event loop must never wait for that, so {@link #send} only queues the record
 * for this sender's thread, which calls the producer in the order records were queued; the producer keeps that
 * order per partition. The returned future completes, on the producer's network thread, once the brokers
 * acknowledged the record ({@code acks=all}) or it failed for good.
 *
 * <p>While the brokers are away, {@code send} can block for {@code max.block.ms} on every record: once the client
 * has lost its view of the cluster it waits for metadata it cannot get, record after record, so a queue of a
 * thousand records would take a thousand timeouts to fail. Instead, when a record fails that way, every record that
 * was queued before the failure fails with it, at once; the next one queued gets a fresh try.
 */
public final class RecordSender implements AutoCloseable {

    private final Producer<String, byte[]> producer;
    private final ExecutorService thread;
    private MetersRefresh meters;
    /** {@link System#nanoTime} of the last record that could not be sent at all in {@code max.block.ms}. */
    private long blockedAt = Long.MIN_VALUE;

    public RecordSender(Map<String, Object> producerConfig, String threadName) {
        this(new KafkaProducer<>(producerConfig), threadName);
    }

    RecordSender(Producer<String, byte[]> producer, String threadName) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.thread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name(threadName).daemon().factory());
    }

    /** Kafka's own meters of this producer, for {@link org.vigil.cluster.metrics.ClusterMetrics#bind}. */
    public synchronized MeterBinder meters(Iterable<Tag> tags) {
        if (meters == null) {
            meters = new MetersRefresh(producer, tags);
        }
        return meters.binder;
    }

    /** Queues a record; completes when the brokers have it. Never blocks. */
    public CompletableFuture<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
        long queued = System.nanoTime();
        try {
            thread.execute(() -> sendQueued(record, queued, done));
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("sender closed", e));
        }
        return done;
    }

    /** On this sender's thread. */
    private void sendQueued(ProducerRecord<String, byte[]> record, long queued, CompletableFuture<RecordMetadata> done) {
        if (blockedAt != Long.MIN_VALUE && queued - blockedAt < 0) {
            done.completeExceptionally(new TimeoutException("not sent: queued behind a record that waited "
                    + "max.block.ms for the brokers in vain"));
            return;
        }
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                } else {
                    done.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        // The producer reports a record it could not even queue (no metadata, or no buffer, in max.block.ms) through
        // the callback, before send returns; failures from the brokers come later, on its network thread.
        if (done.isCompletedExceptionally() && done.exceptionNow() instanceof TimeoutException) {
            blockedAt = System.nanoTime();
        }
    }

    /** Sends what is queued, waits up to {@code timeout} for the brokers to acknowledge it, then closes. Blocking. */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    public void close(Duration timeout) {
        thread.shutdown();
        try {
            thread.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(timeout);
        synchronized (this) {
            if (meters != null) {
                meters.close();
            }
        }
    }
}
