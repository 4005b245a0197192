package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** MQTT over TLS with a configured PEM certificate and key, and no plain port when TLS is required. */
@Timeout(120)
class TlsIT {

    @Test
    void devicesConnectOverTlsAndPlainMqttIsRefusedWhenTlsIsRequired(@TempDir Path dir) throws Exception {
        TestCertificates.Pair pem = TestCertificates.rsa(dir, "mqtt");
        Path cert = pem.cert();
        Path key = pem.key();

        Map<String, String> env = new HashMap<>(TestServers.externalDatabase());
        env.put("VIGIL_MQTT_PLAIN", "false");
        env.put("VIGIL_MQTT_TLS_PORT", "0");
        env.put("VIGIL_MQTT_TLS_CERT", cert.toString());
        env.put("VIGIL_MQTT_TLS_KEY", key.toString());
        try (VigilServer server = TestServers.start(env); ApiClient api = new ApiClient(server.httpPort(), server.adminToken())) {
            assertThat(server.mqttPort()).as("no plain listener").isEqualTo(-1);
            int tlsPort = server.mqttTlsPort();
            assertThat(tlsPort).isPositive();
            Devices d = Devices.register(api, "TLS");
            long ts = Instant.now().toEpochMilli();

            MqttClient client = new MqttClient("ssl://127.0.0.1:" + tlsPort, d.serial(), new MemoryPersistence());
            MqttConnectOptions options = d.options();
            options.setSocketFactory(TestCertificates.trusting(cert).getSocketFactory());
            client.connect(options);
            client.publish(d.topic(), Devices.message(Devices.heartRate(ts, 64), 1));
            client.disconnect();
            client.close();
            assertThat(api.get("/api/v1/patients/" + d.patientId() + "/vitals").getJsonArray("items")).hasSize(1);

            MqttClient plain = new MqttClient("tcp://127.0.0.1:" + tlsPort, d.serial() + "-plain", new MemoryPersistence());
            MqttConnectOptions plainOptions = d.options();
            plainOptions.setConnectionTimeout(5);
            assertThatThrownBy(() -> plain.connect(plainOptions)).isInstanceOf(MqttException.class);
            plain.close();
        }
    }
}
