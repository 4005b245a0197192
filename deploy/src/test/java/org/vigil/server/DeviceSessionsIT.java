package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits hold per device, not per connection: a device has one session (a new connection with its credentials
 * takes over the old one), its rate limit holds across its connections, and a device over its rate is slowed, so a
 * backlog drains at the permitted rate with every message acknowledged.
 */
@Timeout(180)
class DeviceSessionsIT {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceSessionsIT.class);
    private static final int RATE = 100;
    private static final int BURST = 100;

    @RegisterExtension
    static final RunningServer server = RunningServer.builder()
            .set("VIGIL_MQTT_MAX_MESSAGES_PER_SECOND", String.valueOf(RATE))
            .set("VIGIL_MQTT_MESSAGE_BURST", String.valueOf(BURST))
            .build();
    private static final ApiClient api = server.api();

    /** Verifies that a second MQTT 5 connection with the same client id gets the session, the first DISCONNECT 0x8E. */
    @Test
    void aSecondConnectionWithTheSameClientIdTakesOverTheFirst() throws Exception {
        Devices d = Devices.register(api, "TAKE");
        var first = v5Client(d, d.serial());
        CompletableFuture<Integer> firstEnded = ConnectionEvents.disconnected(first);
        first.connect(d.v5Options()).waitForCompletion(10_000);

        var second = v5Client(d, d.serial());
        second.connect(d.v5Options()).waitForCompletion(10_000);

        assertThat(firstEnded.get(10, TimeUnit.SECONDS)).as("session taken over").isEqualTo(0x8E);
        second.publish(d.topic(), Devices.heartRate(Instant.now().toEpochMilli(), 66).getBytes(StandardCharsets.UTF_8),
                1, false).waitForCompletion(10_000);
        assertThat(second.isConnected()).isTrue();
        second.disconnect().waitForCompletion(5_000);
        first.close(true);
        second.close(true);
    }

    /**
     * Verifies that one credential cannot hold many connections: each MQTT 3.1.1 connection with the device's
     * credentials, whatever its client id, closes the one before, and the node counts one connection.
     */
    @Test
    void oneCredentialHoldsOneConnection() throws Exception {
        Devices d = Devices.register(api, "ONE");
        double before = api.metric("vigil_mqtt_connections");
        List<MqttAsyncClient> clients = new ArrayList<>();
        List<CompletableFuture<Throwable>> lost = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            MqttAsyncClient client = new MqttAsyncClient(server.mqttUri(), d.serial() + "-" + i, new MemoryPersistence());
            lost.add(ConnectionEvents.lost(client));
            client.connect(d.options()).waitForCompletion(10_000);
            clients.add(client);
        }
        for (int i = 0; i < 9; i++) {
            assertThat(lost.get(i).get(10, TimeUnit.SECONDS)).as("connection %d taken over", i).isNotNull();
        }
        assertThat(clients.get(9).isConnected()).isTrue();
        assertThat(api.metric("vigil_mqtt_connections")).isEqualTo(before + 1);
        assertThat(api.metric("vigil_mqtt_connections_taken_over_total")).isGreaterThanOrEqualTo(9);
        clients.get(9).disconnect().waitForCompletion(5_000);
        for (MqttAsyncClient client : clients) {
            client.close(true);
        }
    }

    /**
     * Verifies that ten connections with one device's credentials, each sending as fast as it can, together store
     * no more than the device's burst plus its rate over the time taken: the limit is the device's, shared by its
     * connections, and reconnecting does not refill it.
     */
    @Test
    void tenConnectionsOfOneDeviceCannotExceedTheDevicesRate() throws Exception {
        Devices d = Devices.register(api, "TEN");
        long ts = Instant.now().toEpochMilli() - 600_000;
        AtomicInteger sequence = new AtomicInteger();
        List<MqttAsyncClient> clients = new ArrayList<>();
        long started = System.nanoTime();
        for (int c = 0; c < 10; c++) {
            MqttAsyncClient client = new MqttAsyncClient(server.mqttUri(), d.serial() + "-p" + c, new MemoryPersistence());
            client.connect(d.options()).waitForCompletion(10_000);
            clients.add(client);
            for (int i = 0; i < 150; i++) {
                try {
                    client.publish(d.topic(), Devices.heartRate(ts + sequence.incrementAndGet(), 70)
                            .getBytes(StandardCharsets.UTF_8), 0, false);
                } catch (MqttException e) {
                    break; // taken over by the next connection, or too many queued: the attacker's loss
                }
            }
        }
        Thread.sleep(1_000); // let what the server read reach the database
        int stored = storedReadings(d);
        double seconds = (System.nanoTime() - started) / 1e9;
        for (MqttAsyncClient client : clients) {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 1_000);
            }
            client.close(true);
        }
        int allowed = BURST + (int) Math.ceil(RATE * seconds) + clients.size();
        LOG.info("10 connections, {} messages offered: {} stored in {} s (allowed {})",
                sequence.get(), stored, String.format("%.2f", seconds), allowed);
        assertThat(stored).as("messages did flow").isGreaterThanOrEqualTo(BURST);
        assertThat(stored).as("the device's burst plus its rate, shared by all its connections").isLessThanOrEqualTo(allowed);
    }

    /**
     * Verifies that a device replaying a backlog of 1,500 QoS 1 messages after an outage is slowed to its rate,
     * not disconnected, and gets every message acknowledged and stored.
     */
    @Test
    void aBacklogAfterAnOutageDrainsAtThePermittedRateWithEveryMessageAcknowledged() throws Exception {
        int backlog = 1_500;
        Devices d = Devices.register(api, "BACKLOG");
        MqttAsyncClient client = new MqttAsyncClient(server.mqttUri(), d.serial(), new MemoryPersistence());
        CompletableFuture<Throwable> lost = ConnectionEvents.lost(client);
        MqttConnectOptions options = d.options();
        options.setMaxInflight(100);
        client.connect(options).waitForCompletion(10_000);
        double throttledBefore = api.metric("vigil_mqtt_throttled_total");
        long ts = Instant.now().toEpochMilli() - 3_600_000;
        Semaphore window = new Semaphore(100);
        AtomicInteger acked = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long started = System.nanoTime();
        for (int i = 0; i < backlog; i++) {
            assertThat(window.tryAcquire(30, TimeUnit.SECONDS)).as("window frees up").isTrue();
            client.publish(d.topic(), Devices.heartRate(ts + i * 1000L, 60 + i % 40).getBytes(StandardCharsets.UTF_8),
                    1, false, null, new IMqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            acked.incrementAndGet();
                            window.release();
                        }

                        @Override
                        public void onFailure(IMqttToken token, Throwable exception) {
                            failed.incrementAndGet();
                            window.release();
                        }
                    });
        }
        assertThat(window.tryAcquire(100, 60, TimeUnit.SECONDS)).as("all acknowledged").isTrue();
        double seconds = (System.nanoTime() - started) / 1e9;
        double drainRate = (backlog - BURST) / seconds;
        LOG.info("Backlog of {} drained in {} s: {} msg/s beyond the burst (permitted {}/s)",
                backlog, String.format("%.2f", seconds), String.format("%.1f", drainRate), RATE);
        assertThat(lost).as("never disconnected").isNotDone();
        assertThat(failed.get()).isZero();
        assertThat(acked.get()).isEqualTo(backlog);
        assertThat(drainRate).as("at the permitted rate, not above it").isLessThanOrEqualTo(RATE * 1.05);
        assertThat(drainRate).as("and not far below it").isGreaterThan(RATE * 0.6);
        assertThat(api.metric("vigil_mqtt_throttled_total")).isGreaterThan(throttledBefore);
        client.disconnect().waitForCompletion(5_000);
        client.close();
        assertThat(storedReadings(d)).isEqualTo(backlog);
    }

    private static int storedReadings(Devices d) throws Exception {
        int count = 0;
        String after = null;
        while (true) {
            var page = api.get("/api/v1/patients/" + d.patientId() + "/vitals?limit=1000"
                    + (after == null ? "" : "&after=" + after));
            count += page.getJsonArray("items").size();
            after = page.getString("next");
            if (after == null || page.getJsonArray("items").isEmpty()) {
                return count;
            }
        }
    }

    private static org.eclipse.paho.mqttv5.client.MqttAsyncClient v5Client(Devices d, String clientId) throws Exception {
        return new org.eclipse.paho.mqttv5.client.MqttAsyncClient(server.mqttUri(), clientId,
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    }
}
