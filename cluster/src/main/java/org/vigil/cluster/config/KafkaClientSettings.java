package org.vigil.cluster.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.vigil.common.config.ConfigException;

/**
 * Kafka client settings an operator adds to Vigil's own ({@code VIGIL_KAFKA_CLIENT_CONFIG}, a properties file):
 * above all how to reach a secured cluster ({@code security.protocol}, {@code ssl.*}, {@code sasl.*}), and tuning
 * such as {@code linger.ms} or {@code request.timeout.ms}.
 *
 * <p>Each setting goes to the kinds of client (producer, consumer, admin) that know it, so one file serves all of
 * them. A key no Kafka client knows is refused at start, as is one that carries a guarantee Vigil depends on
 * ({@link #RESERVED}): a typo or an {@code acks=1} must not pass silently and lose acknowledged readings.
 */
public final class KafkaClientSettings {

    public static final String FILE = ClusterConfig.CLIENT_CONFIG;

    /** Keys Vigil sets itself, each with the reason an operator may not. */
    static final Map<String, String> RESERVED = Map.ofEntries(
            Map.entry("bootstrap.servers", "set VIGIL_KAFKA_BOOTSTRAP_SERVERS"),
            Map.entry("client.id", "Vigil names each client after VIGIL_NODE_ID"),
            Map.entry("group.id", "Vigil names its groups after VIGIL_KAFKA_TOPIC_PREFIX"),
            Map.entry("group.instance.id", "one file serves every node; a shared instance id would fence them"),
            Map.entry("group.protocol", "evaluation relies on the classic protocol's cooperative-sticky assignment"),
            Map.entry("partition.assignment.strategy", "evaluation relies on cooperative-sticky assignment"),
            Map.entry("session.timeout.ms", "set VIGIL_KAFKA_SESSION_TIMEOUT"),
            Map.entry("heartbeat.interval.ms", "follows VIGIL_KAFKA_SESSION_TIMEOUT"),
            Map.entry("max.poll.interval.ms", "Vigil sets it from how long a rebuild may take"),
            Map.entry("enable.auto.commit", "offsets are committed only after alerts are recorded"),
            Map.entry("auto.offset.reset", "nothing stored may go unevaluated"),
            Map.entry("acks", "only acks=all keeps what the brokers acknowledged"),
            Map.entry("enable.idempotence", "retries must not duplicate or reorder a patient's records"),
            Map.entry("transactional.id", "Vigil does not use transactions"),
            Map.entry("key.serializer", "Vigil's records have string keys"),
            Map.entry("value.serializer", "Vigil's records have byte values"),
            Map.entry("key.deserializer", "Vigil's records have string keys"),
            Map.entry("value.deserializer", "Vigil's records have byte values"));

    /** Keys with a free suffix, such as a config provider's class: {@code config.providers.file.class}. */
    private static final String PROVIDER_PREFIX = "config.providers.";

    private KafkaClientSettings() {
    }

    /** The settings in the file at {@code path}, as written; {@link ClusterConfig} checks them. */
    public static Map<String, String> read(Path path) {
        Properties file = new Properties();
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            file.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(FILE, "cannot read " + path + ": " + e.getMessage());
        }
        Map<String, String> settings = new TreeMap<>();
        for (String key : file.stringPropertyNames()) {
            settings.put(key, file.getProperty(key).strip());
        }
        return settings;
    }

    /** {@code settings} if every key is one a Kafka client knows and Vigil leaves to the operator. */
    static Map<String, String> check(Map<String, String> settings) {
        Set<String> known = new HashSet<>(ProducerConfig.configNames());
        known.addAll(ConsumerConfig.configNames());
        known.addAll(AdminClientConfig.configNames());
        for (String key : settings.keySet()) {
            String reason = RESERVED.get(key);
            if (reason != null) {
                throw new ConfigException(FILE, "'" + key + "' is Vigil's to set: " + reason);
            }
            if (!known.contains(key) && !key.startsWith(PROVIDER_PREFIX)) {
                throw new ConfigException(FILE, "'" + key + "' is no Kafka client setting");
            }
        }
        return Map.copyOf(settings);
    }

    /** The settings a client that knows {@code names} takes. */
    public static Map<String, String> forClient(Map<String, String> settings, Set<String> names) {
        Map<String, String> mine = new TreeMap<>();
        settings.forEach((key, value) -> {
            if (names.contains(key) || key.startsWith(PROVIDER_PREFIX)) {
                mine.put(key, value);
            }
        });
        return mine;
    }
}
