package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vigil.server.TestServers.count;
import static org.vigil.server.TestServers.patientIds;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.cluster.testing.KafkaBrokerProcess;
import org.vigil.common.testing.Poll;

/**
 * Cluster mode through a Kafka outage: the only broker is killed with SIGKILL while devices go on sending, and
 * started again on the same port and log directory a while later, as after a crash of the broker's machine.
 *
 * <p>Durability is established in the database first, so the node goes on acknowledging readings while the broker
 * is away; their hand-offs to the readings topic fail (the producer's delivery timeout is cut to four seconds here,
 * so the outage outlasts it) and are tried again, and the batches stored behind a failed one wait in storage only
 * (spilled), to be read back once the brokers take hand-offs again. Then every reading acknowledged during the
 * outage is evaluated: each crisis, sent after the first failures, opens one alert, announced once on the doctor's
 * live feed.
 */
@Timeout(240)
class KafkaOutageIT {

    private static final int PATIENTS = 6;
    private static final int ROUNDS = 8;

    @Test
    void readingsAcknowledgedWhileTheBrokerIsDownAreEvaluatedOnceItIsBack(@TempDir Path dir) throws Exception {
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.format(Files.createDirectory(dir.resolve("kafka")))) {
            broker.start();
            Path clientConfig = dir.resolve("kafka-client.properties");
            // Hand-offs during the outage fail after four seconds instead of two minutes: the outage below outlasts
            // that, so what is tested is the node's own retry and read-back, not the producer's buffering.
            Files.writeString(clientConfig, "delivery.timeout.ms=4000\nrequest.timeout.ms=2000\n");
            Map<String, String> env = new HashMap<>(TestServers.externalDatabase());
            env.put("VIGIL_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
            env.put("VIGIL_KAFKA_REPLICATION", "1");
            env.put("VIGIL_KAFKA_READING_PARTITIONS", "3");
            env.put("VIGIL_KAFKA_CLIENT_CONFIG", clientConfig.toString());
            env.put("VIGIL_NODE_ID", "node-a");
            try (VigilServer node = TestServers.start(env);
                    ApiClient api = new ApiClient(node.httpPort(), node.adminToken())) {
                Poll.until("the node owns the readings topic's partitions", Duration.ofSeconds(60),
                        () -> api.metric("vigil_cluster_partitions_owned{consumer=\"evaluator\"}") == 3);
                List<Devices> devices = new ArrayList<>();
                List<MqttClient> clients = new ArrayList<>();
                List<BlockingQueue<ApiClient.FeedEvent>> feeds = new ArrayList<>();
                for (int i = 0; i < PATIENTS; i++) {
                    Devices d = Devices.register(api, "OUTAGE");
                    devices.add(d);
                    feeds.add(api.subscribe(d.doctorId()));
                    clients.add(d.connect("tcp://127.0.0.1:" + node.mqttPort()));
                }
                long start = System.currentTimeMillis() - 60_000;
                publish(devices, clients, start, 0, false);
                // Every patient's first readings evaluated: her state is loaded, so what she sends during the outage can
                // reach evaluation only as records handed over, not through a rebuild from storage on a first record.
                Poll.until("the first round is evaluated", Duration.ofSeconds(30),
                        () -> api.metric("vigil_alerts_readings_evaluated_total") == PATIENTS * 2);

                broker.kill();
                for (int round = 1; round < ROUNDS; round++) {
                    if (round == ROUNDS / 2) {
                        Poll.until("hand-offs fail while the broker is down", Duration.ofSeconds(30),
                                () -> api.metric("vigil_alerts_handoff_failures_total") > 0);
                    }
                    // publish() at QoS 1 returns after the PUBACK: each of these is committed to the database.
                    publish(devices, clients, start, round, round == ROUNDS / 2 + 1);
                    Thread.sleep(200);
                }
                for (Devices d : devices) {
                    assertThat(count(env, "SELECT count(*) FROM reading WHERE device_id = " + d.id()))
                            .as("every reading acknowledged during the outage is stored").isEqualTo(ROUNDS * 2L);
                }
                assertThat(api.metric("vigil_alerts_handoff_spilled_total"))
                        .as("batches stored behind a failed one wait in storage only, to be read back").isPositive();
                assertThat(count(env, "SELECT count(*) FROM alert WHERE patient_id IN " + patientIds(devices)))
                        .as("nothing sent during the outage could be evaluated yet").isZero();
                HttpResponse<String> health = api.send("GET", "/health", null);
                assertThat(health.statusCode()).as("the node stays in its load balancer: taking it out would stop"
                        + " ingest too").isEqualTo(200);
                assertThat(new JsonObject(health.body()).getJsonObject("degraded", new JsonObject())
                        .getString("alerting")).as("/health says why evaluation waits").contains("readings topic");

                broker.start();
                Duration took = Poll.until("every crisis has its alert", Duration.ofSeconds(90),
                        () -> count(env, "SELECT count(DISTINCT patient_id) FROM alert WHERE rule = 'blood_pressure_high'"
                                + " AND patient_id IN " + patientIds(devices)) == PATIENTS);
                System.out.printf("every crisis alerted %d ms after the broker came back%n", took.toMillis());
                for (int i = 0; i < PATIENTS; i++) {
                    Devices d = devices.get(i);
                    assertThat(count(env, "SELECT count(*) FROM alert WHERE patient_id = " + d.patientId()))
                            .as("one alert for patient %d", d.patientId()).isEqualTo(1);
                    assertThat(count(env, "SELECT count(*) FROM alert_transition t JOIN alert x ON x.id = t.alert_id"
                            + " WHERE t.change = 'opened' AND x.patient_id = " + d.patientId()))
                            .as("recorded as opened once for patient %d", d.patientId()).isEqualTo(1);
                    ApiClient.FeedEvent opened = feeds.get(i).poll(30, TimeUnit.SECONDS);
                    assertThat(opened).as("patient %d's doctor hears of the crisis", d.patientId()).isNotNull();
                    assertThat(opened.name()).isEqualTo("alert.opened");
                    assertThat(opened.data().getLong("patientId")).isEqualTo(d.patientId());
                }
                Poll.until("the hand-off has nothing left waiting", Duration.ofSeconds(30),
                        () -> api.metric("vigil_alerts_handoff_pending") == 0
                                && !new JsonObject(api.send("GET", "/health", null).body()).containsKey("degraded"));
                // Whatever a replay of the outage's records would announce again has had time to arrive by now.
                Thread.sleep(2_000);
                for (int i = 0; i < PATIENTS; i++) {
                    assertThat(feeds.get(i)).as("announced once to patient %d's doctor", devices.get(i).patientId())
                            .noneMatch(e -> e.name().equals("alert.opened"));
                }
                for (MqttClient c : clients) {
                    c.disconnect();
                    c.close();
                }
            }
        }
    }

    private static void publish(List<Devices> devices, List<MqttClient> clients, long start, int round, boolean crisis)
            throws Exception {
        for (int i = 0; i < devices.size(); i++) {
            String json = crisis ? Devices.bloodPressure(start + round * 1_000L, 196, 119)
                    : Devices.bloodPressure(start + round * 1_000L, 128, 82);
            clients.get(i).publish(devices.get(i).topic(), Devices.message(json, 1));
        }
    }
}
