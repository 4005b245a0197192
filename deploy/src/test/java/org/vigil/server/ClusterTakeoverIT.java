package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.common.testing.Poll;

/**
 * Two Vigil nodes on one database and a real Kafka broker: a device that connects to node B while its connection
 * to node A is open takes over from it, as a second connection does on one node. Node A closes its connection
 * (DISCONNECT 0x8E on MQTT 5), node B's stays up and stores the device's readings, and the device's connection state
 * names node B, connected, even after node A has recorded the end of its connection.
 *
 * <p>Node B writes connection state far less often than node A, so node A's record of the closed connection reaches
 * the database first: the order in which a disconnect recorded at its own time would end node B's connection.
 */
@Timeout(180)
class ClusterTakeoverIT {

    private static final String FAST_FLUSH = "200ms";
    private static final String SLOW_FLUSH = "2s";

    @RegisterExtension
    @Order(1)
    static final RunningServer nodeA = RunningServer.builder().inKafkaCluster().set("VIGIL_NODE_ID", "node-a")
            .set("VIGIL_DEVICE_STATE_FLUSH", FAST_FLUSH).build();

    @RegisterExtension
    @Order(2)
    static final RunningServer nodeB = RunningServer.builder().sharingDatabaseWith(nodeA).set("VIGIL_NODE_ID", "node-b")
            .set("VIGIL_DEVICE_STATE_FLUSH", SLOW_FLUSH).build();

    private static final ApiClient admin = nodeA.api();

    /**
     * Verifies that an MQTT 3.1.1 device connecting to node B with the client id it holds on node A loses its
     * connection to node A within seconds, keeps node B's, and is recorded as connected to node B.
     */
    @Test
    void aDeviceConnectingToNodeBTakesOverItsConnectionToNodeA() throws Exception {
        Devices d = Devices.register(admin, "MOVE");
        long ts = Instant.now().toEpochMilli() - 10_000;
        MqttClient onA = connect(d, nodeA);
        CompletableFuture<Throwable> lostOnA = ConnectionEvents.lost(onA);
        onA.publish(d.topic(), Devices.message(Devices.heartRate(ts, 61), 1));
        awaitConnectionNode(d, "node-a");

        MqttClient onB = connect(d, nodeB);

        assertThat(lostOnA.get(10, TimeUnit.SECONDS)).as("node A closed the older connection").isNotNull();
        onB.publish(d.topic(), Devices.message(Devices.heartRate(ts + 1, 62), 1));
        assertThat(onB.isConnected()).as("node B's connection stays up").isTrue();
        assertThat(admin.get("/api/v1/patients/" + d.patientId() + "/vitals?metric=heart_rate").getJsonArray("items"))
                .as("both readings stored, the one sent through node B too").hasSize(2);
        assertHeldBy(d, "node-b");

        onB.disconnect();
        onB.close();
        onA.close(true);
    }

    /** Verifies that an MQTT 5 device taken over by a connection to another node is told why: 0x8E. */
    @Test
    void anMqtt5DeviceTakenOverFromAnotherNodeIsToldSessionTakenOver() throws Exception {
        Devices d = Devices.register(admin, "MOVE5");
        MqttAsyncClient onA = v5Client(d, nodeA);
        CompletableFuture<Integer> endedOnA = ConnectionEvents.disconnected(onA);
        onA.connect(d.v5Options()).waitForCompletion(10_000);
        awaitConnectionNode(d, "node-a");

        MqttAsyncClient onB = v5Client(d, nodeB);
        onB.connect(d.v5Options()).waitForCompletion(10_000);

        assertThat(endedOnA.get(10, TimeUnit.SECONDS)).as("session taken over").isEqualTo(0x8E);
        onB.publish(d.topic(), Devices.heartRate(Instant.now().toEpochMilli() - 1_000, 70)
                .getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion(10_000);
        assertThat(onB.isConnected()).isTrue();
        assertHeldBy(d, "node-b");

        onB.disconnect().waitForCompletion(5_000);
        onA.close(true);
        onB.close(true);
    }

    /** The client id is the device serial, on both nodes. */
    private static MqttClient connect(Devices d, RunningServer node) throws Exception {
        MqttClient client = new MqttClient(node.mqttUri(), d.serial(), new MemoryPersistence());
        client.setTimeToWait(10_000);
        client.connect(d.options());
        return client;
    }

    private static MqttAsyncClient v5Client(Devices d, RunningServer node) throws Exception {
        return new MqttAsyncClient(node.mqttUri(), d.serial(),
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    }

    /**
     * The device is recorded as connected to {@code node} once both nodes have written what they saw, and still is
     * once node A has certainly written everything it had (its record of the closed connection must not end it).
     */
    private static void assertHeldBy(Devices d, String node) throws Exception {
        awaitConnectionNode(d, node);
        awaitAllWritten("node-a");
        assertThat(connectionNode(d)).as("still connected to %s", node).isEqualTo(node);
        assertThat(admin.get("/api/v1/devices/" + d.id()).getBoolean("connected")).isTrue();
    }

    /**
     * Waits until a write of the node's connection state that began after now has completed: each write records
     * the node's heartbeat first, and a write begins only when the one before has completed.
     */
    private static void awaitAllWritten(String node) throws Exception {
        Instant now = Instant.now();
        Instant began = Poll.latest(Duration.ofSeconds(15), () -> heartbeat(node), h -> h.isAfter(now));
        assertThat(began).isAfter(now);
        assertThat(Poll.latest(Duration.ofSeconds(15), () -> heartbeat(node), h -> h.isAfter(began))).isAfter(began);
    }

    private static Instant heartbeat(String node) throws Exception {
        try (Connection c = nodeA.connection();
                PreparedStatement ps = c.prepareStatement("SELECT heartbeat_at FROM ingest_node WHERE id = ?")) {
            ps.setString(1, node);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getTimestamp(1).toInstant() : Instant.EPOCH;
            }
        }
    }

    private static void awaitConnectionNode(Devices d, String node) throws Exception {
        String seen = Poll.latest(Duration.ofSeconds(15), () -> connectionNode(d), node::equals);
        assertThat(seen).as("recorded as connected to %s", node).isEqualTo(node);
    }

    /** The node the database says holds the device's connection, or "offline". */
    private static String connectionNode(Devices d) throws Exception {
        try (Connection c = nodeA.connection();
                PreparedStatement ps = c.prepareStatement("SELECT connected, connection_node FROM device WHERE id = ?")) {
            ps.setLong(1, d.id());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1) ? rs.getString(2) : "offline";
            }
        }
    }
}
