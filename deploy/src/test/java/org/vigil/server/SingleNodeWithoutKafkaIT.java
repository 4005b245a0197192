package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without {@code VIGIL_KAFKA_BOOTSTRAP_SERVERS} a node is the single node it always was: started as an operator
 * would, in a JVM of its own that logs every class it loads, it serves without loading one class of Kafka's or of
 * the cluster module's Kafka plumbing.
 */
@Timeout(120)
class SingleNodeWithoutKafkaIT {

    @Test
    void aSingleNodeLoadsNoKafkaClass(@TempDir Path dir) throws Exception {
        int httpPort = ServerProcess.freePort();
        Map<String, String> env = new HashMap<>(TestServers.externalDatabase());
        env.put("VIGIL_HTTP_PORT", String.valueOf(httpPort));
        env.put("VIGIL_MQTT_PORT", String.valueOf(ServerProcess.freePort()));
        Path classes = dir.resolve("classes.log");
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xlog:class+load=info:file=" + classes, "-cp", System.getProperty("java.class.path"),
                "org.vigil.server.Main");
        try (ServerProcess server = new ServerProcess(command, env, dir.resolve("server.log"), httpPort)) {
            server.start();
            assertThat(server.terminate(Duration.ofSeconds(60))).as("SIGTERM is a clean stop").isEqualTo(143);
        }
        String loaded = Files.readString(classes);
        assertThat(loaded).as("the log lists what was loaded").contains("org.vigil.server.VigilServer ")
                .contains("org.vigil.cluster.config.ClusterConfig ");
        assertThat(loaded).doesNotContain("org.apache.kafka.").doesNotContain("org.vigil.cluster.kafka.")
                .doesNotContain("org.vigil.cluster.app.ClusterRole ");
    }
}
