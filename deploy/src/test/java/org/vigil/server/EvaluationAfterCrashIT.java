package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vigil.server.ServerProcess.abandon;
import static org.vigil.server.ServerProcess.withFreePorts;
import static org.vigil.server.TestServers.count;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.common.bus.LogStreams;
import org.vigil.common.testing.Poll;

/**
 * Verifies that an acknowledged reading is also evaluated, whatever crashes between its commit and its
 * evaluation: a crisis reading acknowledged by a server that never evaluated it opens its alert after a SIGKILL
 * and restart, exactly once; and an alert recorded before the SIGKILL is not announced again.
 */
@Timeout(240)
class EvaluationAfterCrashIT {


    @Test
    void anAcknowledgedCrisisThatWasNeverEvaluatedOpensItsAlertAfterTheRestart(@TempDir Path dir) throws Exception {
        Map<String, String> env = serverEnv(dir);
        Devices device = crisisNeverEvaluated(env, dir.resolve("first.log"), "CRASH-BP", ServerProcess::kill);
        assertThat(count(env, "SELECT count(*) FROM reading WHERE device_id = " + device.id())).isEqualTo(2);
        assertThat(count(env, "SELECT count(*) FROM alert")).isZero();

        try (ServerProcess server = new ServerProcess(env, dir.resolve("second.log"));
                ApiClient api = new ApiClient(httpPort(env), TestServers.TOKEN)) {
            server.start();
            Duration took = Poll.until("the missed alert opens", Duration.ofSeconds(30),
                    () -> count(env, openAlerts(device)) > 0);
            System.out.printf("missed alert opened %d ms after the restarted server was healthy%n", took.toMillis());
            assertThat(api.get("/api/v1/alerts?doctorId=" + device.doctorId() + "&status=open").getJsonArray("items"))
                    .hasSize(1);
            Poll.until("the stopped streams are finished", Duration.ofSeconds(30), () -> unfinishedDeadStreams(env) == 0);
            assertThat(count(env, openAlerts(device))).as("exactly one alert").isEqualTo(1);
            assertThat(count(env, "SELECT count(*) FROM alert_transition WHERE change = 'opened'"))
                    .as("announced once").isEqualTo(1);
            assertThat(server.terminate(Duration.ofSeconds(60))).isIn(0, 143);
        }
    }

    /**
     * The same on the embedded database, as a county server runs: the server and its PostgreSQL are killed
     * together (a power cut), and the next start runs crash recovery, then evaluates what was never evaluated.
     */
    @Test
    void onTheEmbeddedDatabaseTooTheMissedAlertOpensAfterAPowerCut(@TempDir Path dir) throws Exception {
        Map<String, String> env = withFreePorts(TestServers.embeddedDatabase(dir.resolve("data")));
        Devices device = crisisNeverEvaluated(env, dir.resolve("first.log"), "POWER-CUT",
                ServerProcess::killEverything);
        try (ServerProcess server = new ServerProcess(env, dir.resolve("second.log"));
                ApiClient api = new ApiClient(httpPort(env), TestServers.TOKEN)) {
            server.start();
            String open = "/api/v1/alerts?doctorId=" + device.doctorId() + "&status=open";
            Duration took = Poll.until("the missed alert opens", Duration.ofSeconds(30),
                    () -> !api.get(open).getJsonArray("items").isEmpty());
            System.out.printf("embedded: missed alert opened %d ms after the restarted server was healthy%n",
                    took.toMillis());
            assertThat(api.get(open).getJsonArray("items")).singleElement()
                    .satisfies(a -> assertThat(((io.vertx.core.json.JsonObject) a).getString("rule"))
                            .isEqualTo("blood_pressure_high"));
            assertThat(server.terminate(Duration.ofSeconds(60))).isIn(0, 143);
        }
    }

    @Test
    void anAlertRecordedBeforeTheCrashIsNotAnnouncedAgain(@TempDir Path dir) throws Exception {
        Map<String, String> env = serverEnv(dir);
        Devices device;
        List<Long> streamsBefore;
        long transitionsBefore;
        try (ServerProcess server = new ServerProcess(env, dir.resolve("first.log"))) {
            server.start();
            Sent sent = crisisAlerted(env, "CRASH-ALERT");
            device = sent.device();
            // Killed at once: the evaluation cursor is stored every second, so it is most likely behind.
            server.kill();
            abandon(sent.client());
            streamsBefore = streams(env);
            transitionsBefore = count(env, "SELECT count(*) FROM alert_transition");
        }

        try (ServerProcess server = new ServerProcess(env, dir.resolve("second.log"))) {
            server.start();
            Poll.until("the stopped streams are finished", Duration.ofSeconds(30), () -> unfinishedDeadStreams(env) == 0);
            assertThat(streamsBefore).isNotEmpty();
            for (long stream : streamsBefore) {
                assertThat(count(env, "SELECT position FROM evaluation_cursor WHERE stream = " + stream))
                        .isEqualTo(LogStreams.streamEnd(stream));
            }
            assertThat(count(env, openAlerts(device))).isEqualTo(1);
            assertThat(count(env, "SELECT count(*) FROM alert_transition"))
                    .as("no transition, so nothing announced, after the restart").isEqualTo(transitionsBefore);
            assertThat(server.terminate(Duration.ofSeconds(60))).isIn(0, 143);
        }
    }

    /**
     * Without Kafka too, a restarted node resumes its patients from the engine state it saved (every second here)
     * instead of replaying their history, and announces nothing again; a clean stop saves what changed since.
     */
    @Test
    void aRestartedNodeResumesItsPatientsFromTheStateItSaved(@TempDir Path dir) throws Exception {
        Map<String, String> env = serverEnv(dir);
        env.put("VIGIL_ENGINE_STATE_SAVE", "1s");
        Devices device;
        try (ServerProcess server = new ServerProcess(env, dir.resolve("first.log"))) {
            server.start();
            Sent sent = crisisAlerted(env, "SAVED-STATE");
            device = sent.device();
            Poll.until("her engine state is saved", Duration.ofSeconds(30), () -> savedAt(env, device) > 0);
            server.kill();
            abandon(sent.client());
        }
        long savedBefore = savedAt(env, device);

        env.put("VIGIL_ENGINE_STATE_SAVE", "1h");
        try (ServerProcess server = new ServerProcess(env, dir.resolve("second.log"));
                ApiClient api = new ApiClient(httpPort(env), TestServers.TOKEN)) {
            server.start();
            MqttClient client = device.connect("tcp://127.0.0.1:" + env.get("VIGIL_MQTT_PORT"));
            client.publish(device.topic(), Devices.message(crisis(System.currentTimeMillis() - 1_000), 1));
            Poll.until("she is resumed from her saved state", Duration.ofSeconds(30),
                    () -> api.metric("vigil_alerts_patients_rebuilt_total{from=\"saved\"}") > 0);
            assertThat(api.metric("vigil_alerts_patients_rebuilt_total{from=\"history\"}")).isZero();
            assertThat(count(env, openAlerts(device))).isEqualTo(1);
            assertThat(count(env, "SELECT count(*) FROM alert_transition WHERE change = 'opened'"))
                    .as("announced once, before the kill").isEqualTo(1);
            client.disconnect();
            assertThat(server.terminate(Duration.ofSeconds(60))).isIn(0, 143);
        }
        assertThat(savedAt(env, device)).as("saved again at the clean stop, an hour before the next round")
                .isGreaterThan(savedBefore);
    }

    /**
     * A crisis synced three days late and never evaluated before a SIGKILL opens its alert after the restart, though
     * the patient's saved state reaches back only a day before it was saved: she is rebuilt from her whole history.
     */
    @Test
    void aLateSyncedCrisisNeverEvaluatedOpensItsAlertDespiteSavedState(@TempDir Path dir) throws Exception {
        Map<String, String> env = serverEnv(dir);
        env.put("VIGIL_ENGINE_STATE_SAVE", "1s");
        long now = System.currentTimeMillis();
        Devices device;
        try (ServerProcess server = new ServerProcess(env, dir.resolve("first.log"));
                ApiClient api = new ApiClient(httpPort(env), TestServers.TOKEN)) {
            server.start();
            device = Devices.register(api, "LATE-SYNC");
            MqttClient client = device.connect("tcp://127.0.0.1:" + env.get("VIGIL_MQTT_PORT"));
            client.publish(device.topic(), Devices.message(
                    Devices.bloodPressure(now - Duration.ofDays(4).toMillis(), 124, 78), 1));
            Poll.until("her engine state is saved", Duration.ofSeconds(30), () -> savedAt(env, device) > 0);
            client.disconnect();
            assertThat(server.terminate(Duration.ofSeconds(60))).isIn(0, 143);
        }
        // A life that stores but evaluates nothing: the cuff's memory, three days old, is synced; then SIGKILL.
        try (ServerProcess server = new ServerProcess(withoutAlerting(env), dir.resolve("second.log"))) {
            server.start();
            MqttClient client = device.connect("tcp://127.0.0.1:" + env.get("VIGIL_MQTT_PORT"));
            client.publish(device.topic(), Devices.message(crisis(now - Duration.ofDays(3).toMillis()), 1));
            server.kill();
            abandon(client);
        }
        assertThat(count(env, openAlerts(device))).isZero();

        try (ServerProcess server = new ServerProcess(env, dir.resolve("third.log"))) {
            server.start();
            Poll.until("the late crisis's alert opens", Duration.ofSeconds(30), () -> count(env, openAlerts(device)) > 0);
            assertThat(count(env, openAlerts(device))).isEqualTo(1);
            assertThat(server.terminate(Duration.ofSeconds(60))).isIn(0, 143);
        }
    }

    /** When the node last saved the device's patient's engine state (epoch ms), or 0. */
    private static long savedAt(Map<String, String> env, Devices device) throws SQLException {
        return count(env, "SELECT coalesce(max((extract(epoch FROM saved_at) * 1000)::bigint), 0)"
                + " FROM alert_engine_state WHERE owner LIKE 'node:%' AND patient_id = " + device.patientId());
    }

    @Test
    void theReadingsOfANodeThatDiedAreEvaluatedByASurvivorSharingTheDatabase(@TempDir Path dir) throws Exception {
        Map<String, String> ingestEnv = serverEnv(dir.resolve("a"));
        ingestEnv.put("VIGIL_ROLES", "registry,ingest");
        Map<String, String> alertingEnv = withFreePorts(new HashMap<>(ingestEnv));
        alertingEnv.put("VIGIL_ROLES", "alerting");
        alertingEnv.put("VIGIL_DATA_DIR", dir.resolve("b").toString());
        alertingEnv.put("VIGIL_RESUME_SWEEP", "1s");
        try (ServerProcess ingest = new ServerProcess(ingestEnv, dir.resolve("ingest.log"));
                ServerProcess alerting = new ServerProcess(alertingEnv, dir.resolve("alerting.log"))) {
            ingest.start();
            alerting.start();
            Sent sent = sendCrisis(ingestEnv, "NODE-LOST");
            Devices device = sent.device();
            // The ingest node hands its batches to no evaluator of its own; then it dies.
            ingest.kill();
            abandon(sent.client());
            Duration took = Poll.until("the survivor opens the alert", Duration.ofSeconds(30),
                    () -> count(ingestEnv, openAlerts(device)) > 0);
            System.out.printf("a dead node's crisis alerted by the survivor %d ms after the kill%n", took.toMillis());
            Poll.until("the dead node's streams are finished", Duration.ofSeconds(30),
                    () -> unfinishedDeadStreams(ingestEnv) == 0);
            assertThat(count(ingestEnv, openAlerts(device))).isEqualTo(1);
            assertThat(count(ingestEnv, "SELECT count(*) FROM alert_transition WHERE change = 'opened'")).isEqualTo(1);
        }
    }

    /** A device registered on the server {@code env} describes, and its client after one acknowledged crisis. */
    private record Sent(Devices device, MqttClient client) {
    }

    /** How a server's life ends in a test. */
    private interface Crash {
        void end(ServerProcess server) throws InterruptedException;
    }

    /**
     * A first life that evaluates nothing (the hand-off from commit to evaluation is lost, every time): the server
     * acknowledges a crisis of a new device, then {@code crash} ends it. Returns the device.
     */
    private static Devices crisisNeverEvaluated(Map<String, String> env, Path log, String serial, Crash crash)
            throws Exception {
        try (ServerProcess server = new ServerProcess(withoutAlerting(env), log)) {
            server.start();
            Sent sent = sendCrisis(env, serial);
            // publish() at QoS 1 returned: the PUBACK arrived, so the reading is committed. Power cut.
            crash.end(server);
            abandon(sent.client());
            return sent.device();
        }
    }

    /** A crisis of a new device, sent and evaluated: its alert is recorded. */
    private static Sent crisisAlerted(Map<String, String> env, String serial) throws Exception {
        Sent sent = sendCrisis(env, serial);
        Poll.until("the alert is recorded", Duration.ofSeconds(30), () -> count(env, openAlerts(sent.device())) > 0);
        return sent;
    }

    private static Sent sendCrisis(Map<String, String> env, String serial) throws Exception {
        Devices device;
        try (ApiClient api = new ApiClient(httpPort(env), TestServers.TOKEN)) {
            device = Devices.register(api, serial);
        }
        MqttClient client = device.connect("tcp://127.0.0.1:" + env.get("VIGIL_MQTT_PORT"));
        client.publish(device.topic(), Devices.message(crisis(System.currentTimeMillis() - 5_000), 1));
        return new Sent(device, client);
    }

    private static int httpPort(Map<String, String> env) {
        return Integer.parseInt(env.get("VIGIL_HTTP_PORT"));
    }

    /** The same server without the alerting role: it stores readings and evaluates none. */
    private static Map<String, String> withoutAlerting(Map<String, String> env) {
        Map<String, String> copy = new HashMap<>(env);
        copy.put("VIGIL_ROLES", "registry,ingest");
        return copy;
    }

    private static Map<String, String> serverEnv(Path dir) throws Exception {
        Map<String, String> env = withFreePorts(TestServers.externalDatabase());
        env.put("VIGIL_DATA_DIR", dir.resolve("data").toString());
        return env;
    }

    private static String openAlerts(Devices device) {
        return "SELECT count(*) FROM alert WHERE patient_id = " + device.patientId() + " AND status <> 'resolved'";
    }

    /** Streams of writers that are gone (their lock is free) and not yet evaluated to their end. */
    private static long unfinishedDeadStreams(Map<String, String> env) throws SQLException {
        long dead = 0;
        try (Connection c = TestServers.database(env); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT s.id, pg_try_advisory_lock(" + LogStreams.LOCK_CLASS
                        + ", s.id::int) FROM reading_stream s WHERE NOT EXISTS (SELECT 1 FROM evaluation_cursor c"
                        + " WHERE c.stream = s.id AND c.position = (s.id << 32) | 4294967295)")) {
            while (rs.next()) {
                if (rs.getBoolean(2)) {
                    dead++;
                }
            }
        }
        return dead;
    }

    private static List<Long> streams(Map<String, String> env) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Connection c = TestServers.database(env); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id FROM reading_stream ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    /** A hypertensive crisis measured at {@code ts}. */
    private static String crisis(long ts) {
        return Devices.bloodPressure(ts, 195, 118);
    }
}
