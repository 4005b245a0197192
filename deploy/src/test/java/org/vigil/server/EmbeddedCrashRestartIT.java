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
        embedded(dir, "Dr Before The Kill", running -> {
            long postmaster = EmbeddedPostmaster.pid(running.data());

            running.server().killProcessGroup();
            assertThat(EmbeddedPostmaster.running(postmaster)).as("the postmaster, in a session of its own, outlived the JVM")
                    .isTrue();

            running.server().start();
            assertThat(EmbeddedPostmaster.running(postmaster)).as("the left-over postmaster was stopped").isFalse();
            assertThat(EmbeddedPostmaster.pid(running.data())).isNotEqualTo(postmaster);
            assertThat(running.doctorName()).isEqualTo("Dr Before The Kill");
            assertThat(Files.readString(running.log())).contains("left over from an earlier run");
        });
    }

    @Test
    void whenOnlyTheServersJvmIsKilledItsDatabaseStopsCleanlyWithIt(@TempDir Path dir) throws Exception {
        embedded(dir, "Dr Watchdog", running -> {
            long postmaster = EmbeddedPostmaster.pid(running.data());

            running.server().kill();
            // PostgreSQL removes its pid file last thing in a clean shutdown (after the shutdown checkpoint).
            assertThat(EmbeddedPostmaster.awaitShutdown(running.data(), Duration.ofSeconds(60)))
                    .as("PostgreSQL [pid %d] shut down cleanly after its JVM died", postmaster).isTrue();

            running.server().start();
            assertThat(running.doctorName()).isEqualTo("Dr Watchdog");
        });
    }

    @Test
    void theFirstStartAfterTheServerAndItsDatabaseWereKilledRecoversTheDatabase(@TempDir Path dir) throws Exception {
        embedded(dir, "Dr Power Cut", running -> {
            running.server().killEverything();
            long killedAt = Files.size(running.log());

            running.server().start();
            assertThat(running.doctorName()).isEqualTo("Dr Power Cut");
            assertThat(Files.readString(running.log()).substring((int) killedAt)).as("PostgreSQL ran crash recovery")
                    .contains("automatic recovery in progress");
        });
    }

    /** A started server on its embedded PostgreSQL, with the doctor registered before the crash. */
    private record Running(ServerProcess server, Path data, Path log, int httpPort, long doctor) {

        String doctorName() throws Exception {
            try (ApiClient api = new ApiClient(httpPort, TestServers.TOKEN)) {
                return api.get("/api/v1/doctors/" + doctor).getString("name");
            }
        }
    }

    /** What a test does to the running server, and what it checks after. */
    private interface Crash {
        void run(Running running) throws Exception;
    }

    /**
     * Starts a server on an embedded PostgreSQL in {@code dir}, registers a doctor so named, runs {@code crash},
     * and then expects the server to stop cleanly on SIGTERM.
     */
    private static void embedded(Path dir, String doctorName, Crash crash) throws Exception {
        Path data = dir.resolve("data");
        int httpPort = ServerProcess.freePort();
        Path log = dir.resolve("server.log");
        try (ServerProcess server = new ServerProcess(env(data, httpPort), log, httpPort)) {
            server.start();
            long doctor = newDoctor(httpPort, doctorName);
            crash.run(new Running(server, data, log, httpPort, doctor));
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
}
