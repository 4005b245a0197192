package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rotated or revoked secret stops working at once, also for a connection that is already open: the server
 * closes it, and the old secret (or the revoked device) is refused from then on.
 */
@Timeout(120)
class DeviceCredentialsIT {

    @RegisterExtension
    static final RunningServer server = RunningServer.builder().build();
    private static final ApiClient api = server.api();

    @Test
    void rotatingTheSecretClosesTheOpenConnectionAndOnlyTheNewSecretWorks() throws Exception {
        Devices d = Devices.register(api, "ROT");
        MqttAsyncClient client = new MqttAsyncClient(server.mqttUri(), d.serial(), new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        CompletableFuture<Integer> disconnected = ConnectionEvents.disconnected(client);
        client.connect(v5Options(d.serial(), d.secret())).waitForCompletion(10_000);

        var rotated = api.send("POST", "/api/v1/devices/" + d.id() + "/secret", null);
        assertThat(rotated.statusCode()).isEqualTo(200);
        String newSecret = new JsonObject(rotated.body()).getString("secret");
        assertThat(newSecret).isNotBlank().isNotEqualTo(d.secret());

        assertThat(disconnected.get(10, TimeUnit.SECONDS)).as("DISCONNECT 0x98 administrative action").isEqualTo(0x98);
        client.close(true);

        MqttAsyncClient old = new MqttAsyncClient(server.mqttUri(), d.serial() + "-old", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        assertThatThrownBy(() -> old.connect(v5Options(d.serial(), d.secret())).waitForCompletion(10_000))
                .isInstanceOfSatisfying(org.eclipse.paho.mqttv5.common.MqttException.class,
                        e -> assertThat(e.getReasonCode()).as("the old secret is refused").isEqualTo(0x86));
        old.close(true);

        Devices renewed = new Devices(d.id(), d.serial(), newSecret, d.patientId(), d.doctorId());
        try (MqttClient fresh = renewed.connect(server.mqttUri())) {
            fresh.publish(d.topic(), Devices.message(Devices.heartRate(Instant.now().toEpochMilli(), 66), 1));
            fresh.disconnect();
        }
        assertThat(api.get("/api/v1/patients/" + d.patientId() + "/vitals").getJsonArray("items")).hasSize(1);
        assertThat(api.metric("vigil_mqtt_connections_closed_credentials_total")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void revokingADeviceClosesItsConnectionAndRefusesItAsNotAuthorized() throws Exception {
        Devices d = Devices.register(api, "REV");
        MqttClient client = d.connect(server.mqttUri());
        CompletableFuture<Throwable> lost = ConnectionEvents.lost(client);

        var revoked = api.send("POST", "/api/v1/devices/" + d.id() + "/revoke", null);
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(revoked.body()).getString("revokedAt")).isNotBlank();
        assertThat(lost.get(10, TimeUnit.SECONDS)).isNotNull();
        client.close(true);

        MqttClient again = new MqttClient(server.mqttUri(), d.serial() + "-again", new MemoryPersistence());
        assertThatThrownBy(() -> again.connect(d.options()))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode())
                        .as("CONNACK 0x05 not authorized").isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
        again.close();

        assertThat(api.send("POST", "/api/v1/devices/" + d.id() + "/secret", null).statusCode())
                .as("a revoked device gets no new secret").isEqualTo(409);
        assertThat(api.send("POST", "/api/v1/devices/" + d.id() + "/revoke", null).statusCode())
                .as("revoking twice is harmless").isEqualTo(200);
        assertThat(api.send("POST", "/api/v1/devices/987654/revoke", null).statusCode()).isEqualTo(404);
        assertThat(api.send("POST", "/api/v1/devices/987654/secret", null).statusCode()).isEqualTo(404);
    }

    private static MqttConnectionOptions v5Options(String serial, String secret) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(serial);
        options.setPassword(secret.getBytes(StandardCharsets.UTF_8));
        return options;
    }
}
