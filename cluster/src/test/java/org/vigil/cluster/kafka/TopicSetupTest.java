package org.vigil.cluster.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.cluster.config.ClusterConfig;

@Timeout(30)
class TopicSetupTest {

    /** Verifies that a node pointed at no broker fails start-up in bounded time, naming the setting to check. */
    @Test
    void noBrokerFailsNamingTheSetting() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ClusterConfig config = new ClusterConfig(List.of("127.0.0.1:" + port), "vigil.", 3, 3, (short) 1, true, "alone",
                Duration.ofSeconds(15));
        assertThatThrownBy(() -> new TopicSetup(config, Duration.ofSeconds(2))
                .ensure(List.of(new TopicSetup.Wanted(config.eventsTopic(), 3))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("127.0.0.1:" + port).hasMessageContaining("VIGIL_KAFKA_BOOTSTRAP_SERVERS");
    }
}
