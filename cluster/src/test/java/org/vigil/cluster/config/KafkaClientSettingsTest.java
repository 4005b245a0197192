package org.vigil.cluster.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.cluster.kafka.KafkaClients;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;

@Timeout(10)
class KafkaClientSettingsTest {

    @TempDir
    Path dir;

    private ClusterConfig withFile(String content) throws Exception {
        Path file = dir.resolve("kafka-client.properties");
        Files.writeString(file, content);
        return ClusterConfig.from(Settings.of(Map.of("VIGIL_KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "VIGIL_NODE_ID", "node-a", "VIGIL_KAFKA_CLIENT_CONFIG", file.toString()))).orElseThrow();
    }

    @Test
    void eachClientTakesTheSettingsItKnowsOverVigilsDefaults() throws Exception {
        ClusterConfig config = withFile("""
                # a SASL/SSL cluster, and producers that wait longer to fill batches
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\
                    username="vigil" password="s3cret";
                ssl.truststore.location=/etc/vigil/kafka-ca.p12
                linger.ms = 20
                fetch.min.bytes=1024
                """);
        Map<String, Object> producer = KafkaClients.producer(config, "readings");
        assertThat(producer).containsEntry("security.protocol", "SASL_SSL").containsEntry("linger.ms", "20")
                .containsEntry("ssl.truststore.location", "/etc/vigil/kafka-ca.p12")
                .containsEntry("acks", "all").containsEntry("client.id", "vigil-node-a-readings")
                .doesNotContainKey("fetch.min.bytes");
        assertThat((String) producer.get("sasl.jaas.config")).contains("username=\"vigil\"");
        Map<String, Object> evaluator = KafkaClients.evaluator(config, Duration.ofMinutes(5));
        assertThat(evaluator).containsEntry("security.protocol", "SASL_SSL").containsEntry("fetch.min.bytes", "1024")
                .containsEntry("enable.auto.commit", false).containsEntry("session.timeout.ms", 15_000)
                .doesNotContainKey("linger.ms");
        assertThat(KafkaClients.admin(config)).containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .doesNotContainKeys("linger.ms", "fetch.min.bytes");
    }

    @Test
    void withoutAFileVigilsDefaultsStand() {
        ClusterConfig config = ClusterConfig.from(Settings.of(Map.of("VIGIL_KAFKA_BOOTSTRAP_SERVERS", "k:9092")))
                .orElseThrow();
        assertThat(config.clientSettings()).isEmpty();
        assertThat(KafkaClients.producer(config, "events")).containsEntry("linger.ms", 5)
                .doesNotContainKey("security.protocol");
    }

    @Test
    void aKeyCarryingAGuaranteeIsRefusedWithItsReason() {
        assertThatThrownBy(() -> withFile("acks=1\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("VIGIL_KAFKA_CLIENT_CONFIG").hasMessageContaining("'acks'")
                .hasMessageContaining("acks=all");
        assertThatThrownBy(() -> withFile("session.timeout.ms=45000\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("VIGIL_KAFKA_SESSION_TIMEOUT");
        assertThatThrownBy(() -> withFile("enable.auto.commit=true\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("enable.auto.commit");
    }

    @Test
    void aKeyNoKafkaClientKnowsIsRefused() {
        assertThatThrownBy(() -> withFile("security.protocol=SSL\nlinger.msec=20\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'linger.msec' is no Kafka client setting");
    }

    @Test
    void aMissingFileIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> ClusterConfig.from(Settings.of(Map.of("VIGIL_KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "VIGIL_KAFKA_CLIENT_CONFIG", dir.resolve("absent.properties").toString()))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("VIGIL_KAFKA_CLIENT_CONFIG")
                .hasMessageContaining("absent.properties");
    }

    @Test
    void configProvidersMayBeNamed() throws Exception {
        ClusterConfig config = withFile("""
                config.providers=file
                config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
                sasl.jaas.config=${file:/run/secrets/kafka.properties:jaas}
                """);
        assertThat(KafkaClients.consumer(config, "relay", "g", true))
                .containsEntry("config.providers.file.class",
                        "org.apache.kafka.common.config.provider.FileConfigProvider")
                .containsEntry("group.id", "g");
    }
}
