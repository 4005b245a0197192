package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.simulator.SimulationReport;
import org.vigil.simulator.Simulator;
import org.vigil.simulator.SimulatorConfig;

/** The simulator against a real server: every message it sends is acknowledged and every reading stored. */
@Timeout(120)
class SimulatorIT {

    @Test
    void aShortRunIsFullyAcknowledgedAndStored() throws Exception {
        try (VigilServer server = TestServers.start(TestServers.externalDatabase())) {
            SimulatorConfig config = SimulatorConfig.parse(
                    "--mqtt-host", "127.0.0.1", "--mqtt-port", String.valueOf(server.mqttPort()),
                    "--api", "http://127.0.0.1:" + server.httpPort(), "--token", server.adminToken(),
                    "--devices", "10", "--rate", "100", "--duration", "3s", "--max-messages", "300", "--seed", "7");
            SimulationReport report = Simulator.run(config);

            assertThat(report.sent()).isEqualTo(300);
            assertThat(report.acknowledged()).isEqualTo(report.sent());
            assertThat(report.failed()).isZero();
            assertThat(report.achievedRate()).isGreaterThan(50);
            try (Connection c = server.database().dataSource().getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM reading")) {
                rs.next();
                assertThat(rs.getLong(1)).as("every value sent is a stored row").isEqualTo(report.readingsSent());
            }
        }
    }
}
