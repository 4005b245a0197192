package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vigil.server.ServerProcess.abandon;
import static org.vigil.server.TestServers.count;
import static org.vigil.server.TestServers.patientIds;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.common.testing.Poll;

/**
 * Cluster mode under SIGKILL, with real server processes, a shared PostgreSQL and a real Kafka broker.
 *
 * <p>An evaluating node dies mid-stream: the partitions it owned move to the survivor after the group's session
 * timeout, the survivor resumes their patients from the engine state the dead node saved and the readings stored
 * since, replays what the dead node had not committed, and every patient's crisis opens one alert, announced
 * once. An ingest node dies right after acknowledging crises and before Kafka acknowledged their hand-off: its
 * devices reconnect to the other node, the survivor hands the dead node's unhanded tail from storage to the readings
 * topic, and every acknowledged reading is stored and every crisis alerted once.
 */
@Timeout(300)
class ClusterFailoverIT {

    private static final int PATIENTS = 12;
    private static final int ROUNDS = 24;
    private static final int KILL_AT = 10;

    @Test
    void anEvaluatingNodeKilledMidStreamLosesNoAlertAndNotifiesNoneTwice(@TempDir Path dir) throws Exception {
        Map<String, String> common = clusterEnv();
        Map<String, String> envA = node(common, dir, "node-a");
        Map<String, String> envB = node(common, dir, "node-b");
        onTwoNodes(dir, envA, envB, (a, api) -> {
            Poll.until("both nodes own partitions", Duration.ofSeconds(60),
                    () -> owned(envA) > 0 && owned(envB) > 0);
            List<Devices> devices = new ArrayList<>();
            List<MqttClient> clients = new ArrayList<>();
            for (int i = 0; i < PATIENTS; i++) {
                Devices d = Devices.register(api, "FAILOVER");
                devices.add(d);
                // Every device sends to node B: only evaluation is lost with node A.
                clients.add(d.connect("tcp://127.0.0.1:" + envB.get("VIGIL_MQTT_PORT")));
            }
            long start = System.currentTimeMillis() - 60_000;
            for (int round = 0; round < ROUNDS; round++) {
                if (round == KILL_AT) {
                    Poll.until("node A saved its patients' engine state", Duration.ofSeconds(30),
                            () -> metric(envA, "vigil_alerts_engine_states_saved_total") > 0);
                    a.kill();
                }
                for (int i = 0; i < PATIENTS; i++) {
                    // Patient i's crisis comes at round 4 + i: before, around and after the kill.
                    String json = reading(start + round * 1_000L, round == 4 + i);
                    clients.get(i).publish(devices.get(i).topic(), Devices.message(json, 1));
                }
                Thread.sleep(100);
            }
            Duration took = Poll.until("every crisis has its alert", Duration.ofSeconds(90),
                    () -> count(envB, "SELECT count(DISTINCT patient_id) FROM alert WHERE rule = 'blood_pressure_high'"
                            + " AND patient_id IN " + patientIds(devices)) == PATIENTS);
            System.out.printf("every crisis alerted %d ms after the last publish%n", took.toMillis());
            assertThat(owned(envB)).as("the survivor owns every partition").isEqualTo(6);
            assertThat(metric(envB, "vigil_alerts_patients_rebuilt_total{from=\"saved\""))
                    .as("node A's patients resumed from the state it saved").isPositive();
            for (Devices d : devices) {
                assertThat(count(envB, "SELECT count(*) FROM alert WHERE rule = 'blood_pressure_high' AND patient_id = "
                        + d.patientId())).as("one alert for patient %d", d.patientId()).isEqualTo(1);
                assertThat(count(envB, "SELECT count(*) FROM alert_transition t JOIN alert x ON x.id = t.alert_id"
                        + " WHERE t.change = 'opened' AND x.patient_id = " + d.patientId()))
                        .as("announced once for patient %d", d.patientId()).isEqualTo(1);
                assertThat(count(envB, "SELECT count(*) FROM reading WHERE device_id = " + d.id()))
                        .as("every reading stored").isEqualTo(ROUNDS * 2L);
            }
            for (MqttClient c : clients) {
                c.disconnect();
                c.close();
            }
        });
    }

    @Test
    void anIngestNodeKilledAfterItsAcknowledgementsLosesNothing(@TempDir Path dir) throws Exception {
        Map<String, String> common = clusterEnv();
        Map<String, String> envA = node(common, dir, "node-a");
        // Node A only stores, and its producers hold records for two minutes before sending them: nothing it
        // acknowledges reaches the readings topic before it dies, as if each kill fell between a commit and the
        // brokers' acknowledgement of its hand-off (which otherwise follows within milliseconds).
        envA.put("VIGIL_ROLES", "registry,ingest");
        Path lingering = dir.resolve("kafka-client.properties");
        java.nio.file.Files.writeString(lingering, "linger.ms=120000\ndelivery.timeout.ms=150000\n");
        envA.put("VIGIL_KAFKA_CLIENT_CONFIG", lingering.toString());
        Map<String, String> envB = node(common, dir, "node-b");
        onTwoNodes(dir, envA, envB, (a, api) -> {
            List<Devices> devices = new ArrayList<>();
            for (int i = 0; i < PATIENTS; i++) {
                devices.add(Devices.register(api, "INGEST-LOST"));
            }
            long start = System.currentTimeMillis() - 60_000;
            List<MqttClient> clients = new ArrayList<>();
            for (Devices d : devices) {
                MqttClient c = d.connect("tcp://127.0.0.1:" + envA.get("VIGIL_MQTT_PORT"));
                clients.add(c);
                for (int round = 0; round < 5; round++) {
                    // publish() at QoS 1 returns after the PUBACK: node A has committed each of these.
                    c.publish(d.topic(), Devices.message(reading(start + round * 1_000L, round == 4), 1));
                }
            }
            assertThat(count(envB, "SELECT count(*) FROM alert WHERE patient_id IN " + patientIds(devices)))
                    .as("nothing node A stored has been evaluated yet").isZero();
            a.kill();
            for (int i = 0; i < PATIENTS; i++) {
                abandon(clients.get(i));
                Devices d = devices.get(i);
                // The device reconnects, to the other node, and goes on.
                MqttClient c = d.connect("tcp://127.0.0.1:" + envB.get("VIGIL_MQTT_PORT"));
                c.publish(d.topic(), Devices.message(reading(start + 10_000L, false), 1));
                c.disconnect();
                c.close();
            }
            for (Devices d : devices) {
                assertThat(count(envB, "SELECT count(*) FROM reading WHERE device_id = " + d.id()))
                        .as("every acknowledged reading stored").isEqualTo(12);
            }
            Duration took = Poll.until("every acknowledged crisis has its alert", Duration.ofSeconds(90),
                    () -> count(envB, "SELECT count(DISTINCT patient_id) FROM alert WHERE rule = 'blood_pressure_high'"
                            + " AND patient_id IN " + patientIds(devices)) == PATIENTS);
            System.out.printf("a dead ingest node's crises alerted %d ms after the devices moved%n", took.toMillis());
            assertThat(metric(envB, "vigil_alerts_streams_resumed_total")).as("node A's streams handed over by B")
                    .isPositive();
            for (Devices d : devices) {
                assertThat(count(envB, "SELECT count(*) FROM alert_transition t JOIN alert x ON x.id = t.alert_id"
                        + " WHERE t.change = 'opened' AND x.patient_id = " + d.patientId()))
                        .as("announced once for patient %d", d.patientId()).isEqualTo(1);
            }
        });
    }

    /** What a test does while both nodes run: with node A's process and an admin client of node B. */
    private interface TwoNodes {
        void run(ServerProcess a, ApiClient api) throws Exception;
    }

    /**
     * Starts node A and node B in processes of their own, runs {@code scenario}, and then expects node B, the
     * survivor, to stop cleanly on SIGTERM.
     */
    private static void onTwoNodes(Path dir, Map<String, String> envA, Map<String, String> envB, TwoNodes scenario)
            throws Exception {
        try (ServerProcess a = new ServerProcess(envA, dir.resolve("a.log"));
                ServerProcess b = new ServerProcess(envB, dir.resolve("b.log"));
                ApiClient api = new ApiClient(port(envB, "VIGIL_HTTP_PORT"), TestServers.TOKEN)) {
            a.start();
            b.start();
            scenario.run(a, api);
            assertThat(b.terminate(Duration.ofSeconds(60))).isIn(0, 143);
        }
    }

    private static Map<String, String> clusterEnv() throws Exception {
        Map<String, String> env = TestServers.kafkaCluster();
        env.put("VIGIL_KAFKA_READING_PARTITIONS", "6");
        // A killed evaluator's partitions move after three seconds instead of fifteen.
        env.put("VIGIL_KAFKA_SESSION_TIMEOUT", "3s");
        env.put("VIGIL_RESUME_SWEEP", "1s");
        // Engine state saved every second: the survivor resumes node A's patients from it and what was stored since.
        env.put("VIGIL_ENGINE_STATE_SAVE", "1s");
        return env;
    }

    private static Map<String, String> node(Map<String, String> common, Path dir, String name) throws Exception {
        Map<String, String> env = new HashMap<>(common);
        env.put("VIGIL_NODE_ID", name);
        env.put("VIGIL_DATA_DIR", dir.resolve(name).toString());
        return ServerProcess.withFreePorts(env);
    }

    private static int port(Map<String, String> env, String key) {
        return Integer.parseInt(env.get(key));
    }

    /** Partitions of the readings topic the node's evaluator owns, from its metrics. */
    private static int owned(Map<String, String> env) throws Exception {
        return (int) metric(env, "vigil_cluster_partitions_owned{consumer=\"evaluator\"");
    }

    /** The first sample of the node's metrics whose line starts so, or -1. */
    private static double metric(Map<String, String> env, String prefix) throws Exception {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + env.get("VIGIL_HTTP_PORT") + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        for (String line : metrics.body().split("\n")) {
            if (line.startsWith(prefix)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    /** A reading at {@code ts}: a hypertensive crisis, or a normal blood pressure. */
    private static String reading(long ts, boolean crisis) {
        return crisis ? Devices.bloodPressure(ts, 195, 118) : Devices.bloodPressure(ts, 128, 82);
    }
}
