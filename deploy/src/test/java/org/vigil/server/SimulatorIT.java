package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.simulator.SimulationReport;
import org.vigil.simulator.Simulator;
import org.vigil.simulator.SimulatorConfig;
import org.vigil.simulator.report.ScenarioVerdict;

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

    /**
     * The non-blocking client with injected scenarios: each expected alert (threshold, window, trend and
     * missing-data rules) reaches the patient's doctor and nothing unexplained fires. The missing-data scenarios
     * give their patients care plans; a device gone silent and a patient who stopped measuring must be told apart.
     */
    @Test
    void injectedScenariosRaiseTheirAlertsOnTheRightDoctorsFeeds() throws Exception {
        java.util.Map<String, String> env = new java.util.HashMap<>(TestServers.externalDatabase());
        // Missing data is found by the engine's periodic check; a short run needs it often.
        env.put("VIGIL_ALERT_TICK", "PT0.5S");
        try (VigilServer server = TestServers.start(env)) {
            SimulatorConfig config = SimulatorConfig.parse(
                    "--client", "vertx", "--mqtt-host", "127.0.0.1", "--mqtt-port", String.valueOf(server.mqttPort()),
                    "--api", "http://127.0.0.1:" + server.httpPort(), "--token", server.adminToken(),
                    "--devices", "40", "--rate", "200", "--duration", "16s", "--seed", "11",
                    "--scenarios", "hypertensive_crisis,severe_hypoglycaemia,copd_exacerbation,hf_weight_gain,"
                            + "device_silent,stops_measuring",
                    "--scenario-at", "1s",
                    "--alert-wait", "20s");
            SimulationReport report = Simulator.run(config);

            assertThat(report.acknowledged()).isEqualTo(report.sent());
            assertThat(report.scenarios()).extracting(ScenarioVerdict::scenario).containsExactlyInAnyOrder(
                    "hypertensive_crisis", "severe_hypoglycaemia", "copd_exacerbation", "hf_weight_gain",
                    "device_silent", "stops_measuring");
            assertThat(report.scenarios()).allSatisfy(verdict -> {
                assertThat(verdict.outcome()).as(verdict.detail()).isEqualTo(ScenarioVerdict.Outcome.PASSED);
                assertThat(verdict.alertDoctorId()).isEqualTo(verdict.doctorId());
            });
            assertThat(report.unexplainedAlerts()).as("no false alarms from the background population").isEmpty();
        }
    }
}
