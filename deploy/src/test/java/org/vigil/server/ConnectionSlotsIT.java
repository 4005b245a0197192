package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.common.testing.Poll;

/**
 * Connection slots (VIGIL_MQTT_MAX_CONNECTIONS) are given back on every path a connection can take, and a
 * device may pipeline its first PUBLISH behind its CONNECT, before the CONNACK, as MQTT 3.1.1 §3.1.4 allows.
 * The devices here are new, so their login is not in the registry cache and is looked up while their packets
 * are already arriving.
 */
@Timeout(120)
class ConnectionSlotsIT {

    private static final int MAX_CONNECTIONS = 5;

    @RegisterExtension
    static final RunningServer server = RunningServer.builder()
            .set("VIGIL_MQTT_MAX_CONNECTIONS", String.valueOf(MAX_CONNECTIONS))
            .build();
    private static final ApiClient api = server.api();

    /**
     * Verifies that after a storm of devices that pipeline CONNECT and PUBLISH and hang up at once, or hang up
     * while their login is looked up, the connection gauge equals the sockets still open and a valid device
     * connects.
     */
    @Test
    void afterAStormOfConnectionsThatHangUpEarlyTheGaugeEqualsTheOpenSockets() throws Exception {
        List<MqttClient> held = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                held.add(Devices.register(api, "HELD").connect(server.mqttUri()));
            }
            long ts = Instant.now().toEpochMilli();
            for (int i = 0; i < 3 * MAX_CONNECTIONS; i++) {
                Devices d = Devices.register(api, "STORM");
                try (RawMqtt raw = new RawMqtt(server.mqttPort())) {
                    if (i % 3 == 0) {
                        raw.send(RawMqtt.connect(d.serial(), d.serial(), d.secret(), 30));
                    } else {
                        raw.send(RawMqtt.connect(d.serial(), d.serial(), d.secret(), 30),
                                RawMqtt.publish(d.topic(), 1, Devices.heartRate(ts, 70)));
                    }
                }
            }
            awaitGauge(held.size());

            Devices late = Devices.register(api, "LATE");
            try (MqttClient client = late.connect(server.mqttUri())) {
                client.publish(late.topic(), Devices.message(Devices.heartRate(ts, 72), 1));
                client.disconnect();
            }
            awaitGauge(held.size());
        } finally {
            for (MqttClient client : held) {
                client.disconnect();
                client.close();
            }
        }
        awaitGauge(0);
    }

    /** Verifies that a PUBLISH sent in the same write as the CONNECT is processed after the login, not lost. */
    @Test
    void aPublishPipelinedBehindConnectIsStoredAndAcknowledged() throws Exception {
        Devices d = Devices.register(api, "PIPE");
        long ts = Instant.now().toEpochMilli() - 60_000;
        try (RawMqtt raw = new RawMqtt(server.mqttPort())) {
            raw.send(RawMqtt.connect(d.serial(), d.serial(), d.secret(), 30),
                    RawMqtt.publish(d.topic(), 7, Devices.heartRate(ts, 61)),
                    RawMqtt.publish(d.topic(), 8, Devices.heartRate(ts + 1000, 62)));
            RawMqtt.Packet connack = raw.read();
            assertThat(connack.type()).isEqualTo(RawMqtt.Packet.CONNACK);
            assertThat(connack.connackCode()).isZero();
            RawMqtt.Packet first = raw.read();
            RawMqtt.Packet second = raw.read();
            assertThat(List.of(first.type(), second.type())).containsOnly(RawMqtt.Packet.PUBACK);
            assertThat(List.of(first.messageId(), second.messageId())).containsExactly(7, 8);
            raw.send(RawMqtt.disconnect());
        }
        assertThat(api.get("/api/v1/patients/" + d.patientId() + "/vitals").getJsonArray("items")).hasSize(2);
    }

    /** Verifies that a device whose CONNECT is refused gives its slot back too. */
    @Test
    void refusedLoginsGiveTheirSlotsBack() throws Exception {
        for (int i = 0; i < 2 * MAX_CONNECTIONS; i++) {
            try (RawMqtt raw = new RawMqtt(server.mqttPort())) {
                raw.send(RawMqtt.connect("nobody-" + i, "nobody-" + i, "wrong", 30),
                        RawMqtt.publish("v1/devices/nobody/vitals", 1, "{}"));
                RawMqtt.Packet connack = raw.read();
                assertThat(connack.connackCode()).as("bad user name or password").isEqualTo(4);
            }
        }
        awaitGauge(0);
        Devices d = Devices.register(api, "AFTER");
        try (MqttClient client = d.connect(server.mqttUri())) {
            client.disconnect();
        }
    }

    /**
     * Verifies that a user name no device can have (a NUL in it, which the database cannot even compare) is
     * refused as bad credentials, as any unknown device is, not as an unavailable registry.
     */
    @Test
    void aUserNameNoDeviceCanHaveIsRefusedAsBadCredentials() throws Exception {
        for (String user : List.of("BP\u0000-1", "x".repeat(65), "BP 0001")) {
            try (RawMqtt raw = new RawMqtt(server.mqttPort())) {
                raw.send(RawMqtt.connect("odd-user", user, "secret", 30));
                assertThat(raw.read().connackCode()).as("bad user name or password for %s", user.replace("\u0000", "\\0"))
                        .isEqualTo(4);
            }
        }
        awaitGauge(0);
    }

    /** The gauge must settle at the expected value: closes are handled asynchronously on the server. */
    private static void awaitGauge(int expected) throws Exception {
        double value = Poll.latest(Duration.ofSeconds(10), () -> api.metric("vigil_mqtt_connections"), v -> v == expected);
        assertThat(value).as("vigil_mqtt_connections equals the open sockets").isEqualTo(expected);
    }
}
