package org.vigil.server.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Server settings every benchmark starts from: a fresh data directory, loopback on random ports, the per-device
 * rate limit lifted (a few thousand simulated devices carry the whole load), warnings only in the log; the
 * data directory is deleted when the benchmark's JVM exits. Any
 * {@code VIGIL_*} variable of the benchmark's own environment overrides, to compare settings.
 */
final class BenchSettings {

    private BenchSettings() {
    }

    static Map<String, String> of(Map<String, String> extra) throws java.io.IOException {
        Path data = Files.createTempDirectory("vigil-bench");
        deleteOnExit(data);
        Map<String, String> env = new HashMap<>(Map.of(
                "VIGIL_DATA_DIR", data.toString(),
                "VIGIL_HTTP_HOST", "127.0.0.1", "VIGIL_HTTP_PORT", "0",
                "VIGIL_MQTT_HOST", "127.0.0.1", "VIGIL_MQTT_PORT", "0",
                "VIGIL_MQTT_MAX_MESSAGES_PER_SECOND", "1000000", "VIGIL_MQTT_MESSAGE_BURST", "1000000",
                "VIGIL_LOG_LEVEL", "WARN"));
        env.putAll(extra);
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("VIGIL_")) {
                env.put(k, v);
            }
        });
        return env;
    }

    /**
     * Deletes {@code dir} with everything in it when the JVM exits: a run stores gigabytes of readings, and
     * runs left behind filled this machine's disk.
     */
    static void deleteOnExit(Path dir) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                System.err.println("Could not delete " + dir + ": " + e.getMessage());
            }
        }));
    }
}
