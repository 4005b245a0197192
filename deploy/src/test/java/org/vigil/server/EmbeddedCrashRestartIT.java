package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server on its embedded PostgreSQL is killed hard in the ways a power cut, the OOM killer or an impatient
 * operator kill it, and the very next start must succeed with every committed change there.
 */
@Timeout(240)
class EmbeddedCrashRestartIT {

    @Test
    void theFirstStartAfterTheServersProcessGroupWasKilledStopsTheLeftOverPostmasterAndSucceeds(@TempDir Path dir)
            throws Exception {
        Path data = dir.resolve("data");
        int httpPort = ServerProcess.freePort();
        try (ServerProcess server = new ServerProcess(env(data, httpPort), dir.resolve("server.log"), httpPort)) {
            server.start();
            long doctor = newDoctor(httpPort, "Dr Before The Kill");
            long postmaster = EmbeddedPostmaster.pid(data);

            server.killProcessGroup();
            assertThat(EmbeddedPostmaster.running(postmaster)).as("the postmaster, in a session of its own, outlived the JVM")
                    .isTrue();

            server.start();
            assertThat(EmbeddedPostmaster.running(postmaster)).as("the left-over postmaster was stopped").isFalse();
            assertThat(EmbeddedPostmaster.pid(data)).isNotEqualTo(postmaster);
            assertThat(doctorName(httpPort, doctor)).isEqualTo("Dr Before The Kill");
            assertThat(Files.readString(dir.resolve("server.log"))).contains("left over from an earlier run");
            assertThat(server.terminate(Duration.ofSeconds(60))).isIn(0, 143);
        }
    }

    @Test
    void whenOnlyTheServersJvmIsKilledItsDatabaseStopsCleanlyWithIt(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        int httpPort = ServerProcess.freePort();
        try (ServerProcess server = new ServerProcess(env(data, httpPort), dir.resolve("server.log"), httpPort)) {
            server.start();
            long doctor = newDoctor(httpPort, "Dr Watchdog");
            long postmaster = EmbeddedPostmaster.pid(data);

            server.kill();
            // PostgreSQL removes its pid file last thing in a clean shutdown (after the shutdown checkpoint).
            assertThat(EmbeddedPostmaster.awaitShutdown(data, Duration.ofSeconds(60)))
                    .as("PostgreSQL [pid %d] shut down cleanly after its JVM died", postmaster).isTrue();

            server.start();
            assertThat(doctorName(httpPort, doctor)).isEqualTo("Dr Watchdog");
            assertThat(server.terminate(Duration.ofSeconds(60))).isIn(0, 143);
        }
    }

    @Test
    void theFirstStartAfterTheServerAndItsDatabaseWereKilledRecoversTheDatabase(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        int httpPort = ServerProcess.freePort();
        Path log = dir.resolve("server.log");
        try (ServerProcess server = new ServerProcess(env(data, httpPort), log, httpPort)) {
            server.start();
            long doctor = newDoctor(httpPort, "Dr Power Cut");

            server.killEverything();
            long killedAt = Files.size(log);

            server.start();
            assertThat(doctorName(httpPort, doctor)).isEqualTo("Dr Power Cut");
            assertThat(Files.readString(log).substring((int) killedAt)).as("PostgreSQL ran crash recovery")
                    .contains("automatic recovery in progress");
            assertThat(server.terminate(Duration.ofSeconds(60))).isIn(0, 143);
        }
    }

    private static Map<String, String> env(Path data, int httpPort) {
        Map<String, String> env = TestServers.embeddedDatabase(data);
        env.put("VIGIL_HTTP_PORT", String.valueOf(httpPort));
        return env;
    }

    private static long newDoctor(int httpPort, String name) throws Exception {
        try (ApiClient api = new ApiClient(httpPort, TestServers.TOKEN)) {
            return api.newDoctor(name);
        }
    }

    private static String doctorName(int httpPort, long doctor) throws Exception {
        try (ApiClient api = new ApiClient(httpPort, TestServers.TOKEN)) {
            return api.get("/api/v1/doctors/" + doctor).getString("name");
        }
    }
}
