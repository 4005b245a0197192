package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.common.testing.Poll;

/**
 * Fuzz-style: real clients send thousands of malformed, truncated, hostile, oversized payloads, foreign
 * topics and raw non-MQTT bytes, with valid readings in between. The server stays up, every bad message
 * is acknowledged or refused and counted, and every valid reading sent in between is stored.
 */
@Timeout(240)
class HostileInputIT {

    private static final int MESSAGES = 3000;
    private static final int VALID_EVERY = 10;

    @Test
    void theServerSurvivesHostileInputAndKeepsEveryValidReadingAroundIt() throws Exception {
        Map<String, String> env = TestServers.unlimitedRate(TestServers.externalDatabase());
        env.put("VIGIL_MQTT_MAX_MESSAGE_BYTES", "65536");
        try (VigilServer server = TestServers.start(env); ApiClient api = new ApiClient(server.httpPort(), server.adminToken())) {
            String uri = "tcp://127.0.0.1:" + server.mqttPort();
            Devices target = Devices.register(api, "FUZZ");
            Devices topics = Devices.register(api, "TOPIC");
            Devices big = Devices.register(api, "BIG");
            long base = Instant.now().toEpochMilli() - 3_600_000;
            Random random = new Random(20261122);
            IntFunction<byte[]> hostile = hostilePayloads(random, base);

            // Asynchronous client with an explicit window: every message must come back acknowledged.
            int valid = 0;
            org.eclipse.paho.client.mqttv3.MqttAsyncClient stream = target.connectAsync(uri, target.serial(), 200, 10_000);
            Semaphore window = new Semaphore(100);
            AtomicInteger acknowledged = new AtomicInteger();
            for (int i = 0; i < MESSAGES; i++) {
                boolean isValid = i % VALID_EVERY == 0;
                byte[] payload = isValid ? Devices.heartRate(base + i, 60 + i % 40).getBytes(StandardCharsets.UTF_8)
                        : hostile.apply(i);
                assertThat(window.tryAcquire(30, TimeUnit.SECONDS)).as("acknowledged within the window").isTrue();
                stream.publish(target.topic(), payload, 1, false, null, new IMqttActionListener() {
                    @Override
                    public void onSuccess(org.eclipse.paho.client.mqttv3.IMqttToken token) {
                        acknowledged.incrementAndGet();
                        window.release();
                    }

                    @Override
                    public void onFailure(org.eclipse.paho.client.mqttv3.IMqttToken token, Throwable exception) {
                        window.release();
                    }
                });
                if (isValid) {
                    valid++;
                }
            }
            assertThat(window.tryAcquire(100, 30, TimeUnit.SECONDS)).isTrue();
            assertThat(acknowledged.get()).as("every message, bad or good, acknowledged").isEqualTo(MESSAGES);
            stream.disconnect().waitForCompletion(5_000);
            stream.close();

            // Foreign and odd topics from an MQTT 5 client: each refused with 0x87, the connection stays up.
            MqttAsyncClient v5 = new MqttAsyncClient(uri, topics.serial(), new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setUserName(topics.serial());
            options.setPassword(topics.secret().getBytes(StandardCharsets.UTF_8));
            v5.connect(options).waitForCompletion(10_000);
            List<String> foreign = List.of(target.topic(), "v1/devices/" + topics.serial() + "/vitals/extra",
                    "v1/devices/" + topics.serial(), "v1/DEVICES/" + topics.serial() + "/vitals", "$SYS/broker",
                    "/", "v1/devices/" + topics.serial() + "/vitals/" + "x".repeat(5000), "\u00e9\u00e8/\u4e2d\u6587");
            for (String topic : foreign) {
                IMqttToken token = v5.publish(topic, "{}".getBytes(StandardCharsets.UTF_8), 1, false);
                try {
                    token.waitForCompletion(10_000);
                } catch (org.eclipse.paho.mqttv5.common.MqttException refused) {
                    // Paho surfaces a failure reason code as an exception; the code is checked below.
                }
                assertThat(token.getReasonCodes()).as(topic).containsExactly(0x87);
            }
            assertThat(v5.isConnected()).isTrue();
            v5.disconnect().waitForCompletion(5_000);
            v5.close();

            // Oversized messages close the connection each time; the device reconnects and carries on.
            for (int i = 0; i < 5; i++) {
                org.eclipse.paho.client.mqttv3.MqttAsyncClient client = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(
                        uri, big.serial() + "-" + i, new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
                client.connect(big.options()).waitForCompletion(10_000);
                try {
                    // Not waited on: the server closes the connection while the message is still arriving.
                    client.publish(big.topic(), ("[" + "1,".repeat(40_000) + "1]").getBytes(StandardCharsets.UTF_8), 0, false);
                } catch (MqttException closed) {
                    // may already be closed
                }
                Poll.upTo(Duration.ofSeconds(10), () -> !client.isConnected());
                assertThat(client.isConnected()).as("oversized message closes the connection").isFalse();
                client.close(true);
            }

            // Raw bytes that are not MQTT at all.
            for (int i = 0; i < 50; i++) {
                try (Socket socket = new Socket("127.0.0.1", server.mqttPort())) {
                    socket.setSoTimeout(5000);
                    byte[] garbage = new byte[1 + random.nextInt(4096)];
                    random.nextBytes(garbage);
                    OutputStream out = socket.getOutputStream();
                    out.write(garbage);
                    out.flush();
                    socket.getInputStream().read(); // returns when the server closes (or answers)
                } catch (java.io.IOException closed) {
                    // reset by the server: fine
                }
            }

            assertThat(api.send("GET", "/health", null).statusCode()).isEqualTo(200);
            // Only the valid readings carry timestamps in [base, base + MESSAGES); a few hostile payloads hold a
            // storable first entry stamped "now" (kept by design), which this window leaves out.
            var stored = api.get("/api/v1/patients/" + target.patientId() + "/vitals?limit=10000&from=" + base
                    + "&to=" + (base + MESSAGES)).getJsonArray("items");
            assertThat(stored).as("every valid reading sent between the hostile ones").hasSize(valid);
            assertThat(api.metric("vigil_ingest_readings_rejected_total{reason=\"malformed\"}")).isGreaterThan(500);
            assertThat(api.metric("vigil_ingest_readings_rejected_total{reason=\"wrong_topic\"}")).isEqualTo(foreign.size());
            assertThat(api.metric("vigil_ingest_readings_rejected_total{reason=\"oversized\"}")).isGreaterThanOrEqualTo(1);

            // Still serving: a fresh device connects and stores.
            try (MqttClient client = big.connect(uri)) {
                client.publish(big.topic(), Devices.message(Devices.heartRate(base, 75), 1));
                client.disconnect();
            }
            assertThat(api.get("/api/v1/patients/" + big.patientId() + "/vitals").getJsonArray("items")).hasSize(1);
        }
    }

    /**
     * Verifies that a bad entry costs only itself: the good entries before and after it in the same message are
     * stored, and each bad entry or value is counted by its reason. Each message is acknowledged, so the device
     * will never resend it, which is why nothing good in it may be dropped.
     */
    @Test
    void badEntriesCostOnlyThemselvesAndTheGoodOnesAroundThemAreStored() throws Exception {
        try (VigilServer server = TestServers.start(TestServers.externalDatabase());
                ApiClient api = new ApiClient(server.httpPort(), server.adminToken())) {
            Devices device = Devices.register(api, "ENTRIES");
            long base = Instant.now().toEpochMilli() - 600_000;
            IntFunction<String> good = i -> Devices.heartRate(base + i, 60 + i);
            List<String> messages = List.of(
                    "[{\"ts\": 9223372036854775808, \"values\": {\"heart_rate\": 99}}, " + good.apply(1) + ", " + good.apply(2) + "]",
                    "[5, " + good.apply(3) + ", \"text\", null, [1, [2]], " + good.apply(4) + "]",
                    "[{\"ts\": " + (base + 5) + ", \"values\": {\"heart_rate\": NaN, \"spo2\": -Infinity, \"resp_rate\": 16}}, "
                            + "{\"ts\": Infinity, \"values\": {\"heart_rate\": 98}}, " + good.apply(6) + "]",
                    "[{\"ts\": " + (base + 7) + ", \"values\": {\"heart_rate\": 70, \"heart_rate\": 170, \"spo2\": 97}}, "
                            + "{\"ts\": " + (base + 8) + ", \"values\": {\"heart_rate\": " + "9".repeat(5000) + "}}, "
                            + good.apply(9) + "]");
            try (MqttClient client = device.connect("tcp://127.0.0.1:" + server.mqttPort())) {
                for (String message : messages) {
                    // Synchronous at QoS 1: returns once the server acknowledged, that is once it stored the message.
                    client.publish(device.topic(), Devices.message(message, 1));
                }
                client.disconnect();
            }

            var stored = api.get("/api/v1/patients/" + device.patientId() + "/vitals?from=" + base + "&to=" + (base + 100))
                    .getJsonArray("items");
            List<String> readings = new ArrayList<>();
            for (int i = 0; i < stored.size(); i++) {
                var item = stored.getJsonObject(i);
                readings.add(item.getString("metric") + "@" + (Instant.parse(item.getString("ts")).toEpochMilli() - base)
                        + "=" + item.getDouble("value").intValue());
            }
            assertThat(readings).containsExactlyInAnyOrder("heart_rate@1=61", "heart_rate@2=62", "heart_rate@3=63",
                    "heart_rate@4=64", "resp_rate@5=16", "heart_rate@6=66", "spo2@7=97", "heart_rate@9=69");
            assertThat(api.metric("vigil_ingest_readings_rejected_total{reason=\"bad_timestamp\"}")).isEqualTo(2);
            assertThat(api.metric("vigil_ingest_readings_rejected_total{reason=\"bad_entry\"}")).isEqualTo(4);
            assertThat(api.metric("vigil_ingest_readings_rejected_total{reason=\"not_a_number\"}")).isEqualTo(3);
            assertThat(api.metric("vigil_ingest_readings_rejected_total{reason=\"ambiguous\"}")).isEqualTo(2);
            assertThat(api.metric("vigil_ingest_readings_rejected_total{reason=\"malformed\"}")).isZero();
        }
    }

    /** Seeded generator of payloads that are wrong in every way a device or an attacker could make them. */
    private static IntFunction<byte[]> hostilePayloads(Random random, long base) {
        List<IntFunction<String>> kinds = new ArrayList<>();
        kinds.add(i -> "");
        kinds.add(i -> "   \n\t ");
        kinds.add(i -> "null");
        kinds.add(i -> "{\"ts\": " + (base + i) + ", \"values\": {\"heart_rate\": 7");            // truncated
        kinds.add(i -> "[".repeat(1 + random.nextInt(20_000)));                                   // deep nesting
        kinds.add(i -> "{\"values\": {\"heart_rate\": 1e999999}}");                               // overflow
        kinds.add(i -> "{\"values\": {\"heart_rate\": \"NaN\", \"spo2\": true, \"glucose\": {}}}");
        kinds.add(i -> "{\"ts\": true, \"values\": {\"heart_rate\": 70}}");
        kinds.add(i -> "{\"ts\": -99999999999999, \"values\": {\"heart_rate\": 70}}");
        kinds.add(i -> "{\"ts\": 99999999999999999999999, \"values\": {\"heart_rate\": 70}}");
        kinds.add(i -> "{\"values\": {\"" + "k".repeat(2000) + "\": 1}}");
        kinds.add(i -> "{\"values\": {\"systolic_bp\": -5, \"diastolic_bp\": 9999, \"spo2\": 101}}");
        kinds.add(i -> "\uFEFF{\"values\": {\"heart_rate\": 70}");
        kinds.add(i -> "{\"values\": {\"heart_rate\": 70}} {\"values\": {\"heart_rate\": 71}}");
        kinds.add(i -> "{\"values\": [70, 71]}");
        kinds.add(i -> "{\"units\": {\"glucose\": 5}, \"values\": {\"glucose\": \"high\"}}");
        kinds.add(i -> "\u0000\u0001\u0002\u00ff");
        kinds.add(i -> "{\"ts\": \"2026-13-45T99:99:99Z\", \"values\": {\"heart_rate\": 70}}");
        kinds.add(i -> "{'values': {'heart_rate': 70}}");
        return i -> {
            if (random.nextInt(8) == 0) {
                byte[] bytes = new byte[random.nextInt(2048)];
                random.nextBytes(bytes);
                return bytes;
            }
            return kinds.get(random.nextInt(kinds.size())).apply(i).getBytes(StandardCharsets.UTF_8);
        };
    }
}
