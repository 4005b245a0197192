package org.vigil.cluster.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.vigil.cluster.config.ClusterConfig;
import org.vigil.cluster.config.KafkaClientSettings;

/**
 * The client settings Vigil uses, in one place. Keys are strings (the entity whose order matters: an alert, later
 * a patient), values raw bytes (JSON or the binary reading codec), so no Kafka serializer knows Vigil's types.
 */
public final class KafkaClients {

    private KafkaClients() {
    }

    /**
     * A producer that loses nothing it acknowledged and writes nothing twice: {@code acks=all} with idempotence
     * (retries cannot duplicate or reorder a key's records), and a short linger so records sent together travel
     * in one request.
     */
    public static Map<String, Object> producer(ClusterConfig config, String purpose) {
        return producer(config, purpose, 5);
    }

    /**
     * As {@link #producer(ClusterConfig, String)}, waiting up to {@code lingerMs} for more records before a request:
     * the readings hand-off waits longer, because at everyday rates the brokers' and the producer's work goes per
     * request, not per record, and the hand-off is not on the PUBACK path (docs/performance.md).
     */
    public static Map<String, Object> producer(ClusterConfig config, String purpose, int lingerMs) {
        Map<String, Object> props = common(config, purpose);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        // A record that cannot even be queued while the brokers are away fails after 10 s instead of 60, so the
        // hand-off's retries and spill start sooner, and send plus delivery (120 s) stays within its reply timeout.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return withOperators(config, props, ProducerConfig.configNames());
    }

    /**
     * A consumer in {@code groupId} that commits nothing by itself: whoever consumes decides when a record is done.
     * {@code fromLatest} starts a group without committed offsets at the end of the log (live events) instead of the
     * beginning.
     */
    public static Map<String, Object> consumer(ClusterConfig config, String purpose, String groupId,
            boolean fromLatest) {
        return withOperators(config, baseConsumer(config, purpose, groupId, fromLatest), ConsumerConfig.configNames());
    }

    private static Map<String, Object> baseConsumer(ClusterConfig config, String purpose, String groupId,
            boolean fromLatest) {
        Map<String, Object> props = common(config, purpose);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromLatest ? "latest" : "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return props;
    }

    /**
     * A member of a group that shares partitions of keyed work, such as patients' readings: from the beginning of
     * the log when the group has no offsets (nothing stored may go unevaluated), with cooperative-sticky assignment,
     * so a rebalance moves only the partitions that must move and the others keep their warm state. The pump
     * commits ({@link RecordPump.Offsets#COMMITTED}).
     */
    public static Map<String, Object> partitionedWork(ClusterConfig config, String purpose, String groupId) {
        return withOperators(config, basePartitionedWork(config, purpose, groupId), ConsumerConfig.configNames());
    }

    private static Map<String, Object> basePartitionedWork(ClusterConfig config, String purpose, String groupId) {
        Map<String, Object> props = baseConsumer(config, purpose, groupId, false);
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        // Bounds the work between commits, and so what a successor replays after a crash.
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        return props;
    }

    /**
     * A member of the evaluators' group ({@link ClusterConfig#evaluatorGroup()}) on the readings topic: partitioned
     * work whose silent members lose their partitions after {@link ClusterConfig#sessionTimeout()} (heartbeats at a
     * third of it), and which may spend up to {@code maxHandling} between polls (waiting for a rebuild or a poll's
     * evaluations) before the group takes its partitions away.
     */
    public static Map<String, Object> evaluator(ClusterConfig config, Duration maxHandling) {
        Map<String, Object> props = basePartitionedWork(config, "evaluator", config.evaluatorGroup());
        long session = config.sessionTimeout().toMillis();
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) session);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(1, session / 3));
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, maxHandling.toMillis()));
        // A fetch waits up to 50 ms for 64 KiB instead of returning each record as it lands: at everyday rates that
        // makes a few dozen fetches and offset commits a second, not hundreds, for at most 50 ms more to an alert.
        props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 64 * 1024);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        return withOperators(config, props, ConsumerConfig.configNames());
    }

    /** For the admin client that creates topics. */
    public static Map<String, Object> admin(ClusterConfig config) {
        return withOperators(config, common(config, "admin"), AdminClientConfig.configNames());
    }

    /**
     * The operator's settings ({@link ClusterConfig#clientSettings()}) over Vigil's defaults, once, last, so they win;
     * the keys carrying Vigil's guarantees were refused when the configuration was read.
     */
    private static Map<String, Object> withOperators(ClusterConfig config, Map<String, Object> props,
            java.util.Set<String> names) {
        props.putAll(KafkaClientSettings.forClient(config.clientSettings(), names));
        return props;
    }

    private static Map<String, Object> common(ClusterConfig config, String purpose) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.bootstrap());
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, "vigil-" + config.nodeId() + "-" + purpose);
        return props;
    }
}
