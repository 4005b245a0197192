package org.vigil.cluster.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;

@Timeout(10)
class ClusterConfigTest {

    @Test
    void withoutBootstrapServersThereIsNoCluster() {
        assertThat(ClusterConfig.from(Settings.of(Map.of()))).isEmpty();
        assertThat(ClusterConfig.from(Settings.of(Map.of("VIGIL_KAFKA_BOOTSTRAP_SERVERS", "  ")))).isEmpty();
    }

    @Test
    void defaultsAreThoseOfAReplicatedCluster() {
        ClusterConfig c = ClusterConfig.from(Settings.of(Map.of(
                "VIGIL_KAFKA_BOOTSTRAP_SERVERS", "kafka-0:9092, kafka-1:9092,[::1]:9093", "VIGIL_NODE_ID", "node-a")))
                .orElseThrow();
        assertThat(c.bootstrap()).isEqualTo("kafka-0:9092,kafka-1:9092,[::1]:9093");
        assertThat(c.replication()).isEqualTo((short) 3);
        assertThat(c.eventPartitions()).isEqualTo(3);
        assertThat(c.eventsTopic()).isEqualTo("vigil.events");
        assertThat(c.createTopics()).isTrue();
        assertThat(c.nodeId()).isEqualTo("node-a");
        assertThat(c.readingPartitions()).isEqualTo(48);
        assertThat(c.readingsTopic()).isEqualTo("vigil.readings");
        assertThat(c.evaluatorGroup()).isEqualTo("vigil.evaluators");
        assertThat(c.sessionTimeout()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void readingPartitionsAndSessionTimeoutAreRead() {
        ClusterConfig c = ClusterConfig.from(Settings.of(Map.of("VIGIL_KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "VIGIL_KAFKA_TOPIC_PREFIX", "county-7.", "VIGIL_KAFKA_READING_PARTITIONS", "96",
                "VIGIL_KAFKA_SESSION_TIMEOUT", "45s"))).orElseThrow();
        assertThat(c.readingPartitions()).isEqualTo(96);
        assertThat(c.sessionTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.readingsTopic()).isEqualTo("county-7.readings");
        assertThat(c.evaluatorGroup()).isEqualTo("county-7.evaluators");
        assertThat(ClusterConfig.from(Settings.of(Map.of("VIGIL_KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "VIGIL_KAFKA_READING_PARTITIONS", "10000", "VIGIL_KAFKA_SESSION_TIMEOUT", "PT30M"))).orElseThrow())
                .extracting(ClusterConfig::readingPartitions, ClusterConfig::sessionTimeout)
                .containsExactly(10_000, Duration.ofMinutes(30));
    }

    @Test
    void readingPartitionsAndSessionTimeoutOutOfRangeAreRefusedNamingTheKey() {
        for (String partitions : new String[] {"0", "10001", "many"}) {
            assertThatThrownBy(() -> ClusterConfig.from(Settings.of(Map.of("VIGIL_KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                    "VIGIL_KAFKA_READING_PARTITIONS", partitions))))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("VIGIL_KAFKA_READING_PARTITIONS");
        }
        for (String timeout : new String[] {"999ms", "31m", "soon", "-5s"}) {
            assertThatThrownBy(() -> ClusterConfig.from(Settings.of(Map.of("VIGIL_KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                    "VIGIL_KAFKA_SESSION_TIMEOUT", timeout))))
                    .as(timeout).isInstanceOf(ConfigException.class).hasMessageContaining("VIGIL_KAFKA_SESSION_TIMEOUT");
        }
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> ClusterConfig.from(Settings.of(Map.of("VIGIL_KAFKA_BOOTSTRAP_SERVERS", "kafka"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("VIGIL_KAFKA_BOOTSTRAP_SERVERS");
        assertThatThrownBy(() -> ClusterConfig.from(Settings.of(Map.of("VIGIL_KAFKA_BOOTSTRAP_SERVERS", "k:99999"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("host:port");
        assertThatThrownBy(() -> ClusterConfig.from(Settings.of(Map.of("VIGIL_KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "VIGIL_KAFKA_TOPIC_PREFIX", "vigil/"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("VIGIL_KAFKA_TOPIC_PREFIX");
        assertThatThrownBy(() -> ClusterConfig.from(Settings.of(Map.of("VIGIL_KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "VIGIL_KAFKA_REPLICATION", "0"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("VIGIL_KAFKA_REPLICATION");
        assertThatThrownBy(() -> ClusterConfig.from(Settings.of(Map.of("VIGIL_KAFKA_BOOTSTRAP_SERVERS", "k:9092",
                "VIGIL_NODE_ID", "node a"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("VIGIL_NODE_ID");
    }
}
