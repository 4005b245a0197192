package org.vigil.cluster.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
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

    /** Records of stored readings (one per patient and batch) this node handed to the readings topic, by outcome. */
    String READINGS_HANDED_OFF = "vigil.cluster.readings.handed.off";
    /** From a partition assignment of the evaluator to the end of its rebuild (alerting's reply). */
    String PARTITION_REBUILD = "vigil.cluster.partition.rebuild";

    /** The brokers acknowledged an announcement of this node. */
    void eventSent();

    /** An announcement of this node could not be handed to Kafka: other nodes miss it. */
    void eventSendFailed();

    /** Another node's announcement was published on this node's event bus. */
    void eventRelayed();

    /** This node's own announcement came back from Kafka and was dropped: its consumers already had it. */
    void ownEventSkipped();

    /** The brokers acknowledged {@code records} records of stored readings. */
    void readingsHandedOff(int records);

    /** {@code records} records of stored readings were not taken by Kafka: their batch's hand-off failed. */
    void readingsHandOffFailed(int records);

    /** The evaluator's newly assigned partitions were rebuilt, which took {@code took}. */
    void partitionsRebuilt(Duration took);

    /** {@code consumer} (a fixed word) now owns {@code owned} partitions after a rebalance. */
    void rebalanced(String consumer, int owned);

    /** Adds a client's own meters (Kafka's, such as consumer lag per partition). */
    void bind(MeterBinder binder);

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
        private final Counter handedOff;
        private final Counter handOffFailed;
        private final Timer rebuild;
        private final Map<String, AtomicInteger> owned = new ConcurrentHashMap<>();

        private Micrometer(MeterRegistry registry, String... consumers) {
            this.registry = registry;
            sent = counter(EVENTS_SENT, "outcome", "sent", "announcements of this node acknowledged by Kafka");
            sendFailed = counter(EVENTS_SENT, "outcome", "failed", "announcements of this node Kafka did not take");
            relayed = counter(EVENTS_RECEIVED, "origin", "other_node", "announcements read from Kafka");
            ownSkipped = counter(EVENTS_RECEIVED, "origin", "own", "announcements read from Kafka");
            handedOff = counter(READINGS_HANDED_OFF, "outcome", "sent",
                    "records of stored readings acknowledged by Kafka");
            handOffFailed = counter(READINGS_HANDED_OFF, "outcome", "failed",
                    "records of stored readings Kafka did not take");
            rebuild = Timer.builder(PARTITION_REBUILD)
                    .description("from a partition assignment to the end of its patients' rebuild").register(registry);
            for (String consumer : consumers) {
                gauge(consumer);
                counter(REBALANCES, "consumer", consumer, "partition assignments of this node's consumers");
            }
        }

        private Counter counter(String name, String tag, String value, String description) {
            return Counter.builder(name).tag(tag, value).description(description).register(registry);
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
        public void readingsHandedOff(int records) {
            handedOff.increment(records);
        }

        @Override
        public void readingsHandOffFailed(int records) {
            handOffFailed.increment(records);
        }

        @Override
        public void partitionsRebuilt(Duration took) {
            rebuild.record(took);
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
