package org.vigil.cluster.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
