package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two Vigil nodes on one database and a real Kafka broker: an alert raised on node B, from a reading sent over MQTT
 * to node B, shows on a doctor's live feed on node A, once; a doctor's acknowledgement on node A shows on node B's
 * feed, once; neither node shows its own events twice. Registry changes made on node A act on node B at once:
 * a revoked device's connection to B closes, and a feed opened on B with a revoked token ends.
 */
@Timeout(180)
class ClusterFeedIT {

    private static Map<String, String> env;
    private static VigilServer nodeA;
    private static VigilServer nodeB;
    private static ApiClient adminA;
    private static ApiClient adminB;

    @BeforeAll
    static void start() throws Exception {
        env = TestServers.kafkaCluster();
        // Only the announcement can end a withdrawn feed within the test's bounds, not the heartbeat's check.
        env.put("VIGIL_ALERT_FEED_HEARTBEAT", "1m");
        env.put("VIGIL_DOCTOR_TOKEN_CACHE_TTL", "1m");
        long began = System.nanoTime();
        nodeA = TestServers.start(with(env, "VIGIL_NODE_ID", "node-a"));
        nodeB = TestServers.start(with(env, "VIGIL_NODE_ID", "node-b"));
        org.slf4j.LoggerFactory.getLogger(ClusterFeedIT.class).info("Two cluster nodes started in {} ms",
                (System.nanoTime() - began) / 1_000_000);
        adminA = new ApiClient(nodeA.httpPort(), nodeA.adminToken());
        adminB = new ApiClient(nodeB.httpPort(), nodeB.adminToken());
    }

    private static Map<String, String> with(Map<String, String> env, String key, String value) {
        Map<String, String> copy = new HashMap<>(env);
        copy.put(key, value);
        return copy;
    }

    @AfterAll
    static void stop() {
        if (adminA != null) {
            adminA.close();
            adminB.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
        if (nodeA != null) {
            nodeA.close();
        }
    }

    @Test
    void anAlertRaisedOnNodeBReachesTheFeedOnNodeAOnceAndBack() throws Exception {
        Devices d = Devices.register(adminA, "CLUSTER");
        BlockingQueue<ApiClient.FeedEvent> feedOnA = adminA.subscribe(d.doctorId());
        BlockingQueue<ApiClient.FeedEvent> feedOnB = adminB.subscribe(d.doctorId());

        sendCrisis(d, nodeB.mqttPort(), 192, 118);

        ApiClient.FeedEvent opened = opening(feedOnA, d, "node A's feed hears of the alert node B raised");
        long alertId = opened.data().getLong("id");

        assertThat(adminA.send("POST", "/api/v1/alerts/" + alertId + "/ack", null).statusCode())
                .as("acknowledged on node A").isEqualTo(200);

        List<String> onA = names(feedOnA, alertId, opened);
        List<String> onB = names(feedOnB, alertId, null);
        assertThat(onA).as("node A: the relayed opening once, its own acknowledgement once")
                .containsExactly("alert.opened", "alert.acknowledged");
        assertThat(onB).as("node B: its own opening once, the relayed acknowledgement once")
                .containsExactly("alert.opened", "alert.acknowledged");

        String metricsA = adminA.send("GET", "/metrics", null).body();
        assertThat(metricsA).contains("vigil_cluster_partitions_owned{consumer=\"events\"} 3.0")
                .doesNotContain("vigil_cluster_events_received_total{origin=\"other_node\"} 0.0")
                .doesNotContain("vigil_cluster_events_received_total{origin=\"own\"} 0.0")
                .contains("vigil_cluster_events_sent_total{outcome=\"failed\"} 0.0")
                .as("Kafka's own client meters").containsPattern("kafka_consumer_[a-z_]+\\{[^}]*relay=\"events\"")
                .containsPattern("kafka_producer_[a-z_]+\\{[^}]*relay=\"events\"");
    }

    @Test
    void aReadingStoredByANodeThatOnlyIngestsIsEvaluatedWhileItLives() throws Exception {
        Devices d = Devices.register(adminA, "CLINGEST");
        BlockingQueue<ApiClient.FeedEvent> feedOnA = adminA.subscribe(d.doctorId());
        try (VigilServer ingestOnly = TestServers.start(with(with(env, "VIGIL_NODE_ID", "node-c"), "VIGIL_ROLES",
                "registry,ingest"))) {
            sendCrisis(d, ingestOnly.mqttPort(), 194, 121);

            opening(feedOnA, d, "the crisis node C stored is evaluated by A or B while C runs");
            try (ApiClient adminC = new ApiClient(ingestOnly.httpPort(), ingestOnly.adminToken())) {
                assertThat(adminC.send("GET", "/metrics", null).body())
                        .as("node C handed the batch over and evaluates nothing itself")
                        .contains("vigil_cluster_readings_handed_off_total{outcome=\"sent\"} 1.0")
                        .doesNotContain("vigil_cluster_partitions_owned{consumer=\"evaluator\"}");
                assertThat(adminC.send("GET", "/api/v1/alerts?patientId=" + d.patientId(), null).statusCode())
                        .as("no alert API on a node without the alerting role").isEqualTo(404);
            }
        }
    }

    @Test
    void aDeviceRevokedOnNodeALosesItsConnectionToNodeB() throws Exception {
        Devices d = Devices.register(adminA, "CLREVOKE");
        MqttClient client = d.connect("tcp://127.0.0.1:" + nodeB.mqttPort());
        CompletableFuture<Throwable> lost = ConnectionEvents.lost(client);

        assertThat(adminA.send("POST", "/api/v1/devices/" + d.id() + "/revoke", null).statusCode()).isEqualTo(200);
        assertThat(lost.get(10, TimeUnit.SECONDS)).as("node B closed the revoked device's connection").isNotNull();
        client.close(true);
    }

    @Test
    void aTokenRevokedOnNodeAEndsTheFeedOpenedWithItOnNodeB() throws Exception {
        Devices d = Devices.register(adminA, "CLTOKEN");
        HttpResponse<String> issued = adminA.send("POST", "/api/v1/doctors/" + d.doctorId() + "/tokens", null);
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
        JsonObject token = new JsonObject(issued.body());
        try (ApiClient onB = new ApiClient(nodeB.httpPort(), token.getString("token"))) {
            ApiClient.Feed feed = onB.openFeed(d.doctorId());
            assertThat(adminA.send("POST", "/api/v1/doctors/" + d.doctorId() + "/tokens/" + token.getLong("id")
                    + "/revoke", null).statusCode()).isEqualTo(200);
            feed.ended().get(10, TimeUnit.SECONDS);
        }
    }

    /** Publishes a hypertensive crisis of a second ago at QoS 1 as the device, to the node on that MQTT port. */
    private static void sendCrisis(Devices d, int mqttPort, int systolic, int diastolic) throws Exception {
        try (MqttClient client = d.connect("tcp://127.0.0.1:" + mqttPort)) {
            client.publish(d.topic(), Devices.message(
                    Devices.bloodPressure(Instant.now().toEpochMilli() - 1000, systolic, diastolic), 1));
            client.disconnect();
        }
    }

    /** The next event on the feed, which must be the opening of an alert for the device's patient. */
    private static ApiClient.FeedEvent opening(BlockingQueue<ApiClient.FeedEvent> feed, Devices d, String description)
            throws InterruptedException {
        ApiClient.FeedEvent opened = feed.poll(30, TimeUnit.SECONDS);
        assertThat(opened).as(description).isNotNull();
        assertThat(opened.name()).isEqualTo("alert.opened");
        assertThat(opened.data().getLong("patientId")).isEqualTo(d.patientId());
        return opened;
    }

    /**
     * The names of that alert's events on a feed until it has been quiet for three seconds (beyond the time an
     * event takes between nodes), after {@code first} if one was already taken.
     */
    private static List<String> names(BlockingQueue<ApiClient.FeedEvent> feed, long alertId,
            ApiClient.FeedEvent first) throws InterruptedException {
        List<String> names = new ArrayList<>();
        if (first != null) {
            names.add(first.name());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        ApiClient.FeedEvent e;
        while (System.nanoTime() < deadline && (e = feed.poll(3, TimeUnit.SECONDS)) != null) {
            if (e.data().getLong("id") == alertId) {
                names.add(e.name());
            }
        }
        return names;
    }
}
