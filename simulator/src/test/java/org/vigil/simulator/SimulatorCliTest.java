package org.vigil.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SimulatorCliTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int cli(String... args) {
        return Simulator.cli(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpPrintsUsageAndSucceeds() {
        assertThat(cli("--help")).isEqualTo(Simulator.EXIT_OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage:").contains("--devices-file");
    }

    @Test
    void badArgumentsPrintTheErrorAndUsageAndExitWithTwo() {
        assertThat(cli("--token", "t", "--devices", "5000")).isEqualTo(Simulator.EXIT_USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: --devices:").contains("Usage:");
    }

    @Test
    void anUnreachableApiFailsTheRunWithOne() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        assertThat(cli("--token", "t", "--api", "http://127.0.0.1:" + closedPort, "--duration", "1s")).isEqualTo(Simulator.EXIT_FAILED);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: ").contains("--api");
    }

    @Test
    void aMissingDevicesFileNeedsAToken() {
        SimulatorConfig config = SimulatorConfig.parse("--devices-file", "/nonexistent/dir/devices.csv");
        assertThatThrownBy(() -> Simulator.run(config))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageStartingWith("--token:");
    }

    @Test
    void anUnreachableMqttServerFailsTheRun() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Path file = Files.createTempFile("devices", ".csv");
        try {
            Files.writeString(file, "sim-test-0000,secret,scale\n");
            SimulatorConfig config = SimulatorConfig.parse("--devices-file", file.toString(), "--devices", "1",
                    "--mqtt-port", Integer.toString(closedPort), "--duration", "1s");
            assertThatThrownBy(() -> Simulator.run(config))
                    .isInstanceOf(SimulatorException.class)
                    .hasMessageContaining("sim-test-0000")
                    .hasMessageContaining("could not connect")
                    .hasMessageContaining("--mqtt-port");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
