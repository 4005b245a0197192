package org.vigil.cluster.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;

/**
 * Cluster mode on Apache Kafka. Present only when {@code VIGIL_KAFKA_BOOTSTRAP_SERVERS} is set: without it a
 * node runs alone, exactly as before, and no Kafka class is loaded.
 *
 * @param bootstrapServers  brokers to first contact, {@code host:port}, comma-separated
 *                          ({@code VIGIL_KAFKA_BOOTSTRAP_SERVERS})
 * @param topicPrefix       put before every topic name, so several deployments can share brokers
 *                          ({@code VIGIL_KAFKA_TOPIC_PREFIX}, {@code vigil.})
 * @param eventPartitions   partitions of the event topic ({@code VIGIL_KAFKA_EVENT_PARTITIONS}, 3): events are
 *                          few, and each node reads all of them
 * @param readingPartitions partitions of the readings topic ({@code VIGIL_KAFKA_READING_PARTITIONS}, 48, 1 to
 *                          10000): the unit of evaluation ownership, so the most alerting nodes that can share the
 *                          work; changing it on an existing topic moves patients between partitions
 * @param sessionTimeout    how long the group waits for a silent evaluator before its partitions move to the others
 *                          ({@code VIGIL_KAFKA_SESSION_TIMEOUT}, 15s, 1s to 30m; the brokers'
 *                          {@code group.min/max.session.timeout.ms} must allow it); heartbeats go at a third of it
 * @param replication       replicas of each topic Vigil creates ({@code VIGIL_KAFKA_REPLICATION}, 3: with
 *                          {@code acks=all} and the broker's {@code min.insync.replicas=2}, one broker may fail
 *                          without losing an acknowledged record)
 * @param createTopics      whether a node creates missing topics at start ({@code VIGIL_KAFKA_CREATE_TOPICS},
 *                          true); operators who manage topics themselves set false
 * @param nodeId            this node's name in client ids and consumer group ids ({@code VIGIL_NODE_ID}, the
 *                          host name), the same key ingest uses
 * @param clientSettings    Kafka client settings added to Vigil's own, such as a secured cluster's
 *                          {@code security.protocol}, {@code ssl.*} and {@code sasl.*} ({@code VIGIL_KAFKA_CLIENT_CONFIG},
 *                          a properties file; none by default): {@link KafkaClientSettings}
 */
public record ClusterConfig(List<String> bootstrapServers, String topicPrefix, int eventPartitions,
        int readingPartitions, short replication, boolean createTopics, String nodeId, Duration sessionTimeout,
        Map<String, String> clientSettings) {

    public static final String BOOTSTRAP_SERVERS = "VIGIL_KAFKA_BOOTSTRAP_SERVERS";
    public static final String TOPIC_PREFIX = "VIGIL_KAFKA_TOPIC_PREFIX";
    public static final String EVENT_PARTITIONS = "VIGIL_KAFKA_EVENT_PARTITIONS";
    public static final String READING_PARTITIONS = "VIGIL_KAFKA_READING_PARTITIONS";
    public static final String SESSION_TIMEOUT = "VIGIL_KAFKA_SESSION_TIMEOUT";
    public static final String REPLICATION = "VIGIL_KAFKA_REPLICATION";
    public static final String CREATE_TOPICS = "VIGIL_KAFKA_CREATE_TOPICS";
    public static final String NODE_ID = Settings.NODE_ID;
    public static final String CLIENT_CONFIG = "VIGIL_KAFKA_CLIENT_CONFIG";

    /** Kafka's own limit on a topic name, less room for the longest suffix Vigil adds. */
    private static final int MAX_PREFIX_LENGTH = 200;
    private static final int MAX_NODE_ID_LENGTH = 100;
    /** Characters Kafka allows in topic names and that are safe in group ids. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]*");
    private static final int MAX_READING_PARTITIONS = 10_000;
    private static final Duration LEAST_SESSION_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration MOST_SESSION_TIMEOUT = Duration.ofMinutes(30);
    private static final Pattern SERVER = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.-]+):(\\d{1,5})");

    /** Without client settings of the operator's. */
    public ClusterConfig(List<String> bootstrapServers, String topicPrefix, int eventPartitions, int readingPartitions,
            short replication, boolean createTopics, String nodeId, Duration sessionTimeout) {
        this(bootstrapServers, topicPrefix, eventPartitions, readingPartitions, replication, createTopics, nodeId,
                sessionTimeout, Map.of());
    }

    public ClusterConfig {
        bootstrapServers = List.copyOf(bootstrapServers);
        clientSettings = KafkaClientSettings.check(clientSettings);
        if (bootstrapServers.isEmpty()) {
            throw new ConfigException(BOOTSTRAP_SERVERS, "names no broker");
        }
        for (String server : bootstrapServers) {
            var m = SERVER.matcher(server);
            if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
                throw new ConfigException(BOOTSTRAP_SERVERS, "'" + server + "' is not host:port");
            }
        }
        if (topicPrefix.length() > MAX_PREFIX_LENGTH || !NAME.matcher(topicPrefix).matches()) {
            throw new ConfigException(TOPIC_PREFIX, "at most " + MAX_PREFIX_LENGTH
                    + " letters, digits, '.', '_' or '-'");
        }
        java.util.Objects.requireNonNull(sessionTimeout, SESSION_TIMEOUT);
        if (readingPartitions < 1 || readingPartitions > MAX_READING_PARTITIONS) {
            throw new ConfigException(READING_PARTITIONS, "must be 1 to " + MAX_READING_PARTITIONS);
        }
        if (sessionTimeout.compareTo(LEAST_SESSION_TIMEOUT) < 0 || sessionTimeout.compareTo(MOST_SESSION_TIMEOUT) > 0) {
            throw new ConfigException(SESSION_TIMEOUT, "must be 1s to 30m");
        }
        if (nodeId.isBlank() || nodeId.length() > MAX_NODE_ID_LENGTH || !NAME.matcher(nodeId).matches()) {
            throw new ConfigException(NODE_ID, "in cluster mode: 1 to " + MAX_NODE_ID_LENGTH
                    + " letters, digits, '.', '_' or '-'");
        }
    }

    /** The cluster settings, or empty when {@code VIGIL_KAFKA_BOOTSTRAP_SERVERS} is not set: a single node. */
    public static Optional<ClusterConfig> from(Settings settings) {
        Optional<String> servers = settings.optional(BOOTSTRAP_SERVERS);
        if (servers.isEmpty()) {
            return Optional.empty();
        }
        List<String> list = new ArrayList<>();
        for (String s : servers.get().split(",")) {
            if (!s.isBlank()) {
                list.add(s.trim());
            }
        }
        return Optional.of(new ClusterConfig(
                list,
                settings.string(TOPIC_PREFIX, "vigil."),
                settings.integer(EVENT_PARTITIONS, 3, 1, 1000),
                settings.integer(READING_PARTITIONS, 48, 1, MAX_READING_PARTITIONS),
                (short) settings.integer(REPLICATION, 3, 1, Short.MAX_VALUE),
                settings.bool(CREATE_TOPICS, true),
                settings.nodeId(),
                settings.duration(SESSION_TIMEOUT, Duration.ofSeconds(15)),
                settings.optional(KafkaClientSettings.FILE).map(f -> KafkaClientSettings.read(java.nio.file.Path.of(f)))
                        .orElse(Map.of())));
    }

    /**
     * Announcements every node hears (alert events, registry changes, resolutions), keyed by the entity they are
     * about.
     */
    public String eventsTopic() {
        return topicPrefix + "events";
    }

    /**
     * Stored readings, one record per patient and batch, keyed by patient id: read by the evaluators' group
     * ({@link #evaluatorGroup()}), whose members own its partitions.
     */
    public String readingsTopic() {
        return topicPrefix + "readings";
    }

    /** The consumer group of the nodes that evaluate alerts, sharing the readings topic's partitions. */
    public String evaluatorGroup() {
        return topicPrefix + "evaluators";
    }

    /** The bootstrap list as Kafka's clients take it. */
    public String bootstrap() {
        return String.join(",", bootstrapServers);
    }
}
