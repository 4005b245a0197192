package org.vigil.cluster.kafka;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * Kafka's own meters of one client in Micrometer, looked for anew every ten seconds instead of Micrometer's minute
 * (a partition's {@code records-lag} appears only once the partition is fetched), on a daemon thread of the
 * client's own that {@link #close} stops, so it never keeps a stopping JVM alive.
 */
final class MetersRefresh implements AutoCloseable {

    private static final Duration INTERVAL = Duration.ofSeconds(10);

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("vigil-kafka-meters").daemon().factory());
    final KafkaClientMetrics binder;

    MetersRefresh(Consumer<?, ?> consumer, Iterable<Tag> tags) {
        binder = new KafkaClientMetrics(consumer, tags, scheduler, INTERVAL);
    }

    MetersRefresh(Producer<?, ?> producer, Iterable<Tag> tags) {
        binder = new KafkaClientMetrics(producer, tags, scheduler, INTERVAL);
    }

    @Override
    public void close() {
        binder.close();
        scheduler.shutdownNow();
    }
}
