package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.cluster.testing.TestKafka;

/**
 * Two Vigil nodes on one database and a real Kafka broker: an alert raised on node B, from a reading sent over MQTT
 * to node B, shows on a doctor's live feed on node A, once; a doctor's acknowledgement on node A shows on node B's
 * feed, once; and neither node shows its own events twice.
 */
@Timeout(180)
class ClusterFeedIT {

    private static VigilServer nodeA;
    private static VigilServer nodeB;
    private static ApiClient adminA;
    private static ApiClient adminB;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = new HashMap<>(TestServers.externalDatabase());
        env.put("VIGIL_KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers());
        env.put("VIGIL_KAFKA_TOPIC_PREFIX", TestKafka.newTopicPrefix());
        env.put("VIGIL_KAFKA_REPLICATION", "1");
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

        try (MqttClient client = d.connect("tcp://127.0.0.1:" + nodeB.mqttPort())) {
            client.publish(d.topic(), Devices.message("{\"ts\": " + (Instant.now().toEpochMilli() - 1000)
                    + ", \"values\": {\"systolic_bp\": 192, \"diastolic_bp\": 118}}", 1));
            client.disconnect();
        }

        ApiClient.FeedEvent opened = feedOnA.poll(30, TimeUnit.SECONDS);
        assertThat(opened).as("node A's feed hears of the alert node B raised").isNotNull();
        assertThat(opened.name()).isEqualTo("alert.opened");
        assertThat(opened.data().getLong("patientId")).isEqualTo(d.patientId());
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
        assertThat(metricsA).contains("vigil_cluster_alert_events_received_total{origin=\"other_node\"} 1.0")
                .contains("vigil_cluster_alert_events_received_total{origin=\"own\"} 1.0")
                .contains("vigil_cluster_partitions_owned{consumer=\"alert_events\"} 3.0");
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
