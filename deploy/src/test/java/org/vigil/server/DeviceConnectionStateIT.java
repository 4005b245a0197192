package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.common.testing.Poll;

/**
 * A device's {@code connected} flag is true after any stop of the node that held it: the missing-data rule reads
 * it to tell a silent device from a patient who did not measure.
 */
@Timeout(300)
class DeviceConnectionStateIT {

    /**
     * Verifies that a device connected when the server process was SIGKILLed shows as disconnected after the
     * restart, as of the node's last sign of life, until it connects again; and that a clean stop records it too.
     */
    @Test
    void aDeviceConnectedWhenTheServerWasKilledIsDisconnectedAfterTheRestartUntilItReconnects(@TempDir Path dir)
            throws Exception {
        int httpPort = ServerProcess.freePort();
        int mqttPort = ServerProcess.freePort();
        Map<String, String> env = new HashMap<>(TestServers.externalDatabase());
        env.put("VIGIL_HTTP_HOST", "127.0.0.1");
        env.put("VIGIL_HTTP_PORT", String.valueOf(httpPort));
        env.put("VIGIL_MQTT_HOST", "127.0.0.1");
        env.put("VIGIL_MQTT_PORT", String.valueOf(mqttPort));
        env.put("VIGIL_DATA_DIR", dir.resolve("data").toString());
        env.put("VIGIL_DEVICE_STATE_FLUSH", "200ms");
        String uri = "tcp://127.0.0.1:" + mqttPort;

        try (ServerProcess server = new ServerProcess(env, dir.resolve("server.log"), httpPort);
                ApiClient api = new ApiClient(httpPort, TestServers.TOKEN)) {
            server.start();
            Devices d = Devices.register(api, "KILLED");
            MqttClient client = d.connect(uri);
            JsonObject connected = awaitDevice(api, d, s -> s.getBoolean("connected"));
            Instant connectedAt = Instant.parse(connected.getString("connectionChangedAt"));
            // The node's heartbeat has passed the connect: the kill comes while the connection is known to be up.
            awaitHeartbeatAfter(env, connectedAt);

            Instant killedAt = Instant.now();
            server.kill();
            closeQuietly(client);

            server.start();
            JsonObject afterRestart = api.get("/api/v1/devices/" + d.id());
            assertThat(afterRestart.getBoolean("connected")).as("not connected after the restart").isFalse();
            Instant changedAt = Instant.parse(afterRestart.getString("connectionChangedAt"));
            assertThat(changedAt).as("disconnected at the node's last heartbeat").isAfter(connectedAt)
                    .isBeforeOrEqualTo(killedAt);

            MqttClient again = d.connect(uri);
            JsonObject reconnected = awaitDevice(api, d, s -> s.getBoolean("connected"));
            assertThat(Instant.parse(reconnected.getString("connectionChangedAt"))).isAfter(changedAt);

            assertThat(server.terminate(Duration.ofSeconds(60))).as("SIGTERM stops the server cleanly").isIn(0, 143);
            closeQuietly(again);
            assertThat(connectedInDatabase(env, d.id())).as("a clean stop records the disconnect").isFalse();
        }
    }

    /**
     * Verifies that nodes sharing a database leave each other's devices alone: a second node starting and
     * stopping does not mark the first node's connected device as disconnected.
     */
    @Test
    void anotherNodeStartingAndStoppingLeavesThisNodesDevicesConnected() throws Exception {
        Map<String, String> env = new HashMap<>(TestServers.externalDatabase());
        env.put("VIGIL_DEVICE_STATE_FLUSH", "200ms");
        Map<String, String> first = new HashMap<>(env);
        first.put("VIGIL_NODE_ID", "node-a");
        Map<String, String> second = new HashMap<>(env);
        second.put("VIGIL_NODE_ID", "node-b");
        try (VigilServer a = TestServers.start(first); ApiClient api = new ApiClient(a.httpPort(), a.adminToken())) {
            Devices d = Devices.register(api, "SHARED");
            try (MqttClient client = d.connect("tcp://127.0.0.1:" + a.mqttPort())) {
                awaitDevice(api, d, s -> s.getBoolean("connected"));
                try (VigilServer b = TestServers.start(second)) {
                    assertThat(b.mqttPort()).isPositive();
                }
                assertThat(api.get("/api/v1/devices/" + d.id()).getBoolean("connected"))
                        .as("still connected to the first node").isTrue();
                client.disconnect();
            }
            awaitDevice(api, d, s -> !s.getBoolean("connected"));
        }
    }

    private static void closeQuietly(MqttClient client) {
        try {
            client.disconnectForcibly(0, 1_000);
        } catch (org.eclipse.paho.client.mqttv3.MqttException alreadyGone) {
            // the server went away first
        }
        try {
            client.close(true);
        } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonObject awaitDevice(ApiClient api, Devices d, Predicate<JsonObject> condition) throws Exception {
        JsonObject device = Poll.latest(Duration.ofSeconds(10), () -> api.get("/api/v1/devices/" + d.id()), condition);
        assertThat(condition.test(device)).as("device state reached: %s", device).isTrue();
        return device;
    }

    private static void awaitHeartbeatAfter(Map<String, String> env, Instant after) throws Exception {
        try (Connection c = TestServers.database(env);
                PreparedStatement ps = c.prepareStatement("SELECT max(heartbeat_at) FROM ingest_node")) {
            Poll.until("a heartbeat after " + after, Duration.ofSeconds(10), () -> {
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getTimestamp(1) != null && rs.getTimestamp(1).toInstant().isAfter(after);
                }
            });
        }
    }

    private static boolean connectedInDatabase(Map<String, String> env, long deviceId) throws Exception {
        try (Connection c = TestServers.database(env);
                PreparedStatement ps = c.prepareStatement("SELECT connected FROM device WHERE id = ?")) {
            ps.setLong(1, deviceId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
