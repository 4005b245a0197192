package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every configurable ingest limit, enforced against real clients with the MQTT reason code and counted. */
@Timeout(120)
class IngestLimitsIT {

    @RegisterExtension
    static final RunningServer server = RunningServer.builder()
            .set("VIGIL_MQTT_MAX_MESSAGE_BYTES", "2048")
            .set("VIGIL_MQTT_MAX_CONNECTIONS", "4")
            .set("VIGIL_MQTT_MAX_MESSAGES_PER_SECOND", "5")
            .set("VIGIL_MQTT_MESSAGE_BURST", "5")
            .set("VIGIL_MQTT_THROTTLE_LIMIT", "2s")
            .set("VIGIL_INGEST_MAX_READINGS_PER_MESSAGE", "10")
            .set("VIGIL_MQTT_MAX_KEEPALIVE", "2s")
            .build();
    private static final ApiClient api = server.api();

    @Test
    void anOversizedMessageClosesTheConnectionIsCountedAndTheDeviceCanCarryOn() throws Exception {
        Devices d = Devices.register(api, "BIG");
        double before = api.metric("vigil_ingest_readings_rejected_total{reason=\"oversized\"}");
        long ts = Instant.now().toEpochMilli();
        try (MqttClient client = d.connect(server.mqttUri())) {
            CompletableFuture<Throwable> lost = ConnectionEvents.lost(client);
            String big = "{\"ts\": " + ts + ", \"values\": {\"heart_rate\": 70}, \"pad\": \"" + "x".repeat(4000) + "\"}";
            client.getTopic(d.topic()).publish(Devices.message(big, 0));
            assertThat(lost.get(10, TimeUnit.SECONDS)).isNotNull();
        }
        assertThat(api.metric("vigil_ingest_readings_rejected_total{reason=\"oversized\"}")).isEqualTo(before + 1);
        try (MqttClient client = d.connect(server.mqttUri())) {
            client.publish(d.topic(), Devices.message(Devices.heartRate(ts, 71), 1));
            client.disconnect();
        }
        assertThat(api.get("/api/v1/patients/" + d.patientId() + "/vitals").getJsonArray("items")).hasSize(1);
    }

    @Test
    void connectionsBeyondTheLimitAreRefusedWithServerUnavailable() throws Exception {
        List<MqttClient> held = new ArrayList<>();
        try {
            MqttException refused = null;
            for (int i = 0; i < 6 && refused == null; i++) {
                Devices d = Devices.register(api, "CONN");
                try {
                    held.add(d.connect(server.mqttUri()));
                } catch (MqttException e) {
                    refused = e;
                }
            }
            assertThat(refused).as("the fifth connection is refused").isNotNull();
            assertThat(held).hasSizeLessThanOrEqualTo(4);
            assertThat(refused.getReasonCode()).isEqualTo(MqttException.REASON_CODE_BROKER_UNAVAILABLE);
            assertThat(api.metric("vigil_mqtt_connects_refused_total{reason=\"too_many_connections\"}")).isGreaterThanOrEqualTo(1);
        } finally {
            for (MqttClient client : held) {
                client.disconnect();
                client.close();
            }
        }
        // The slots are released: a new device connects again.
        Devices d = Devices.register(api, "CONN");
        try (MqttClient client = d.connect(server.mqttUri())) {
            client.disconnect();
        }
    }

    /**
     * Verifies that a device over its rate is first slowed, not cut off, and disconnected with 0x96 only once it
     * has stayed over its rate for longer than VIGIL_MQTT_THROTTLE_LIMIT; what was stored meanwhile kept to the rate.
     */
    @Test
    void aDeviceOverItsRateForLongerThanTheThrottleLimitIsDisconnectedWithReasonCode0x96() throws Exception {
        Devices d = Devices.register(api, "FAST");
        MqttAsyncClient client = new MqttAsyncClient(server.mqttUri(), d.serial() + "-v5", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        CompletableFuture<Integer> reason = ConnectionEvents.disconnected(client);
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(d.serial());
        options.setPassword(d.secret().getBytes(StandardCharsets.UTF_8));
        client.connect(options).waitForCompletion(10_000);
        double before = api.metric("vigil_ingest_readings_rejected_total{reason=\"rate_limited\"}");
        double throttledBefore = api.metric("vigil_mqtt_throttled_total");
        long ts = Instant.now().toEpochMilli() - 60_000;
        long started = System.nanoTime();
        for (int i = 0; i < 100 && !reason.isDone(); i++) {
            try {
                client.publish(d.topic(), Devices.heartRate(ts + i, 70).getBytes(StandardCharsets.UTF_8), 0, false);
            } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                break; // disconnected meanwhile
            }
        }
        assertThat(reason.get(20, TimeUnit.SECONDS)).isEqualTo(0x96);
        double seconds = (System.nanoTime() - started) / 1e9;
        client.close(true);
        assertThat(seconds).as("slowed for the throttle limit before being cut off").isGreaterThanOrEqualTo(2.0);
        assertThat(api.metric("vigil_ingest_readings_rejected_total{reason=\"rate_limited\"}")).isGreaterThan(before);
        assertThat(api.metric("vigil_mqtt_throttled_total")).isGreaterThan(throttledBefore);
        int stored = api.get("/api/v1/patients/" + d.patientId() + "/vitals?limit=1000").getJsonArray("items").size();
        assertThat(stored).as("burst 5, then 5 per second").isBetween(10, 5 + (int) Math.ceil(5 * seconds) + 1);
    }

    @Test
    void aSilentConnectionIsClosedWhateverKeepAliveTheClientAskedFor() throws Exception {
        Devices d = Devices.register(api, "IDLE");
        MqttClient client = new MqttClient(server.mqttUri(), d.serial() + "-idle", new MemoryPersistence());
        MqttConnectOptions options = d.options();
        options.setKeepAliveInterval(0); // the client promises nothing; the server closes it after 1.5 x 2 s
        client.connect(options);
        CompletableFuture<Throwable> lost = ConnectionEvents.lost(client);
        assertThat(lost.get(15, TimeUnit.SECONDS)).isNotNull();
        client.close();
    }

    @Test
    void valuesPastThePerMessageLimitAreRejectedAndTheRestStored() throws Exception {
        Devices d = Devices.register(api, "MANY");
        long ts = Instant.now().toEpochMilli() - 60_000;
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 12; i++) {
            json.append(i == 0 ? "" : ",").append(Devices.heartRate(ts + i * 1000L, 60 + i));
        }
        double before = api.metric("vigil_ingest_readings_rejected_total{reason=\"too_many_readings\"}");
        try (MqttClient client = d.connect(server.mqttUri())) {
            client.publish(d.topic(), Devices.message(json.append(']').toString(), 1));
            client.disconnect();
        }
        assertThat(api.get("/api/v1/patients/" + d.patientId() + "/vitals").getJsonArray("items")).hasSize(10);
        assertThat(api.metric("vigil_ingest_readings_rejected_total{reason=\"too_many_readings\"}")).isEqualTo(before + 2);
    }

    @Test
    void wrongCredentialsAreStillRefusedAsSuch() {
        assertThatThrownBy(() -> {
            MqttClient client = new MqttClient(server.mqttUri(), "nobody", new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setUserName("nobody");
            options.setPassword("nothing".toCharArray());
            client.connect(options);
        }).isInstanceOfSatisfying(MqttException.class,
                e -> assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
    }
}
