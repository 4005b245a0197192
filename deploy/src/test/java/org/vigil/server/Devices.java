package org.vigil.server;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

/** A device registered over the REST API, and the MQTT clients tests connect as it. */
record Devices(long id, String serial, String secret, long patientId, long doctorId) {

    private static int counter;

    static Devices register(ApiClient api, String prefix) throws Exception {
        return register(api, prefix, api.defaultVillage());
    }

    /** A device of a new patient contracted to a new doctor (and her own team) at that organisation. */
    static synchronized Devices register(ApiClient api, String prefix, long organisationId) throws Exception {
        int n = ++counter;
        long doctor = api.newDoctor("Dr " + prefix + n, organisationId);
        long patient = api.newPatient(doctor);
        String serial = prefix + "-" + n + "-" + System.nanoTime() % 100_000;
        JsonObject created = api.newDevice(serial, patient);
        return new Devices(created.getLong("id"), serial, created.getString("secret"), patient, doctor);
    }

    String topic() {
        return "v1/devices/" + serial + "/vitals";
    }

    MqttConnectOptions options() {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName(serial);
        options.setPassword(secret.toCharArray());
        options.setCleanSession(true);
        return options;
    }

    /** Options for an MQTT 5 client connecting as this device. */
    MqttConnectionOptions v5Options() {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(serial);
        options.setPassword(secret.getBytes(StandardCharsets.UTF_8));
        return options;
    }

    /** A connected MQTT 3.1.1 client (synchronous: publish at QoS 1 returns after the PUBACK). */
    MqttClient connect(String uri) throws MqttException {
        MqttClient client = new MqttClient(uri, serial + "-" + System.nanoTime(), new MemoryPersistence());
        client.setTimeToWait(10_000);
        client.connect(options());
        return client;
    }

    /**
     * A connected asynchronous MQTT 3.1.1 client under that client id, with room for {@code inflight}
     * unacknowledged QoS 1 messages, having waited up to {@code waitMillis} for the CONNACK.
     */
    MqttAsyncClient connectAsync(String uri, String clientId, int inflight, long waitMillis) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
        MqttConnectOptions options = options();
        options.setMaxInflight(inflight);
        client.connect(options).waitForCompletion(waitMillis);
        return client;
    }

    static MqttMessage message(String json, int qos) {
        MqttMessage message = new MqttMessage(json.getBytes(StandardCharsets.UTF_8));
        message.setQos(qos);
        return message;
    }

    /**
     * Publishes heart rates at {@code ts + 1} to {@code ts + n} at QoS 1 without waiting for them; the latch
     * counts their PUBACKs.
     */
    CountDownLatch publishCounted(MqttAsyncClient client, long ts, int n) throws MqttException {
        CountDownLatch acked = new CountDownLatch(n);
        for (int i = 1; i <= n; i++) {
            client.publish(topic(), heartRate(ts + i, 70 + i).getBytes(), 1, false, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    acked.countDown();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable exception) {
                }
            });
        }
        return acked;
    }

    /** A blood pressure reading measured at {@code ts}, as a cuff sends it. */
    static String bloodPressure(long ts, int systolic, int diastolic) {
        return "{\"ts\": %d, \"values\": {\"systolic_bp\": %d, \"diastolic_bp\": %d}}"
                .formatted(ts, systolic, diastolic);
    }

    static String heartRate(long ts, double value) {
        return "{\"ts\": " + ts + ", \"values\": {\"heart_rate\": " + value + "}}";
    }
}
