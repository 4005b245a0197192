package org.vigil.cluster.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** What cluster mode counts. Implementations are thread-safe: Kafka's threads and event loops call them. */
public interface ClusterMetrics {

    /** Announcements (alert events, registry changes, resolutions) this node handed to Kafka, by outcome. */
    String EVENTS_SENT = "vigil.cluster.events.sent";
    /** Announcements read back from Kafka, by origin: another node's (published locally) or this node's own. */
    String EVENTS_RECEIVED = "vigil.cluster.events.received";
    /** Partitions given to or taken from this node's consumers, by consumer. */
    String REBALANCES = "vigil.cluster.rebalances";
    /** Partitions this node's consumers own now, by consumer. */
    String PARTITIONS_OWNED = "vigil.cluster.partitions.owned";

    /** The brokers acknowledged an announcement of this node. */
    void eventSent();

    /** An announcement of this node could not be handed to Kafka: other nodes miss it. */
    void eventSendFailed();

    /** Another node's announcement was published on this node's event bus. */
    void eventRelayed();

    /** This node's own announcement came back from Kafka and was dropped: its consumers already had it. */
    void ownEventSkipped();

    /** {@code consumer} (a fixed word) now owns {@code owned} partitions after a rebalance. */
    void rebalanced(String consumer, int owned);

    /** Adds a client's own meters (Kafka's, such as consumer lag per partition). */
    void bind(MeterBinder binder);

    ClusterMetrics NOOP = new ClusterMetrics() {
        @Override
        public void eventSent() {
        }

        @Override
        public void eventSendFailed() {
        }

        @Override
        public void eventRelayed() {
        }

        @Override
        public void ownEventSkipped() {
        }

        @Override
        public void rebalanced(String consumer, int owned) {
        }

        @Override
        public void bind(MeterBinder binder) {
        }
    };

    /** Counters and gauges in {@code registry}; {@code consumers} names every consumer, so each shows from the start. */
    static ClusterMetrics micrometer(MeterRegistry registry, String... consumers) {
        return new Micrometer(registry, consumers);
    }

    /** The Micrometer implementation. */
    final class Micrometer implements ClusterMetrics {
        private final MeterRegistry registry;
        private final Counter sent;
        private final Counter sendFailed;
        private final Counter relayed;
        private final Counter ownSkipped;
        private final Map<String, AtomicInteger> owned = new ConcurrentHashMap<>();

        private Micrometer(MeterRegistry registry, String... consumers) {
            this.registry = registry;
            sent = Counter.builder(EVENTS_SENT).tag("outcome", "sent")
                    .description("announcements of this node acknowledged by Kafka").register(registry);
            sendFailed = Counter.builder(EVENTS_SENT).tag("outcome", "failed")
                    .description("announcements of this node Kafka did not take").register(registry);
            relayed = Counter.builder(EVENTS_RECEIVED).tag("origin", "other_node")
                    .description("announcements read from Kafka").register(registry);
            ownSkipped = Counter.builder(EVENTS_RECEIVED).tag("origin", "own")
                    .description("announcements read from Kafka").register(registry);
            for (String consumer : consumers) {
                gauge(consumer);
                Counter.builder(REBALANCES).tag("consumer", consumer)
                        .description("partition assignments of this node's consumers").register(registry);
            }
        }

        private AtomicInteger gauge(String consumer) {
            return owned.computeIfAbsent(consumer, c -> registry.gauge(PARTITIONS_OWNED, Tags.of("consumer", c),
                    new AtomicInteger()));
        }

        @Override
        public void eventSent() {
            sent.increment();
        }

        @Override
        public void eventSendFailed() {
            sendFailed.increment();
        }

        @Override
        public void eventRelayed() {
            relayed.increment();
        }

        @Override
        public void ownEventSkipped() {
            ownSkipped.increment();
        }

        @Override
        public void rebalanced(String consumer, int partitions) {
            registry.counter(REBALANCES, "consumer", consumer).increment();
            gauge(consumer).set(partitions);
        }

        @Override
        public void bind(MeterBinder binder) {
            binder.bindTo(registry);
        }
    }
}
