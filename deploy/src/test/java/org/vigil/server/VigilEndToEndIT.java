package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.common.testing.Poll;

/**
 * The whole path on a real server: REST registration, MQTT publish from real clients, the stored row, the
 * alert on the right doctor's live feed. The server runs on a database of a real PostgreSQL, configured
 * through {@code VIGIL_DB_URL} as an operator would.
 */
@Timeout(120)
class VigilEndToEndIT {

    @RegisterExtension
    static final RunningServer server = RunningServer.builder().build();
    private static final ApiClient api = server.api();


    private static Devices newDevice() throws Exception {
        return Devices.register(api, "BP-E2E");
    }

    private static MqttClient connect(Devices device) throws MqttException {
        return device.connect(server.mqttUri());
    }

    /** Publishes at QoS 1; returns once the PUBACK arrived (the synchronous client blocks until then). */
    private static void publish(MqttClient client, Devices device, String json) throws MqttException {
        MqttMessage message = new MqttMessage(json.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        client.publish(device.topic(), message);
    }

    private static String bloodPressure(long ts, int systolic, int diastolic) {
        return "{\"ts\": " + ts + ", \"values\": {\"systolic_bp\": " + systolic + ", \"diastolic_bp\": " + diastolic + "}}";
    }

    private static List<Double> storedValues(long patientId, int metricCode, long ts) throws Exception {
        try (Connection c = server.database().dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT value FROM reading WHERE patient_id = ? AND metric = ? AND ts = ?")) {
            ps.setLong(1, patientId);
            ps.setInt(2, metricCode);
            ps.setTimestamp(3, new java.sql.Timestamp(ts));
            List<Double> values = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getDouble(1));
                }
            }
            return values;
        }
    }

    @Test
    void aCrisisReadingIsAcknowledgedStoredAndAlertsOnlyItsOwnDoctor() throws Exception {
        Devices a = newDevice();
        Devices b = newDevice();
        BlockingQueue<ApiClient.FeedEvent> feedA = api.subscribe(a.doctorId());
        BlockingQueue<ApiClient.FeedEvent> feedB = api.subscribe(b.doctorId());
        long ts = Instant.now().toEpochMilli() - 1000;

        try (MqttClient client = connect(a)) {
            publish(client, a, bloodPressure(ts, 186, 104));
            // The PUBACK came back, so the row must already be committed.
            assertThat(storedValues(a.patientId(), 1, ts)).containsExactly(186.0);
            client.disconnect();
        }

        ApiClient.FeedEvent event = feedA.poll(5, TimeUnit.SECONDS);
        assertThat(event).as("alert on doctor A's feed").isNotNull();
        assertThat(event.name()).isEqualTo("alert.opened");
        JsonObject alert = event.data();
        assertThat(alert.getLong("patientId")).isEqualTo(a.patientId());
        assertThat(alert.getLong("doctorId")).isEqualTo(a.doctorId());
        assertThat(alert.getString("rule")).isEqualTo("blood_pressure_high");
        assertThat(alert.getString("severity")).isEqualTo("critical");
        assertThat(alert.getString("status")).isEqualTo("open");
        assertThat(alert.getString("metric")).isEqualTo("systolic_bp");
        assertThat(alert.getDouble("value")).isEqualTo(186.0);
        assertThat(Instant.parse(alert.getString("measuredAt")).toEpochMilli()).isEqualTo(ts);
        assertThat(alert.getString("openedAt")).isNotBlank();

        // Doctor B's feed is strictly ordered: if A's alert had leaked to it, it would come before B's own.
        try (MqttClient client = connect(b)) {
            publish(client, b, bloodPressure(ts, 150, 112));
            client.disconnect();
        }
        ApiClient.FeedEvent first = feedB.poll(5, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        assertThat(first.data().getLong("patientId")).as("doctor B sees only B's patient").isEqualTo(b.patientId());
        assertThat(feedA.poll(200, TimeUnit.MILLISECONDS)).as("B's alert is not on A's feed").isNull();
    }

    @Test
    void repeatsUpdateTheOpenAlertAndAcknowledgingTakesItOffTheOpenList() throws Exception {
        Devices d = newDevice();
        // Measurements 20 minutes apart: the rule engine records a repeat on an open episode at most once per
        // 15 minutes of measurement time (lifecycle updateEvery), so seconds apart would fold into one update.
        long ts = Instant.now().toEpochMilli() - 3_600_000;
        try (MqttClient client = connect(d)) {
            publish(client, d, bloodPressure(ts, 165, 90));
            publish(client, d, bloodPressure(ts + 1_200_000, 168, 92));
            publish(client, d, bloodPressure(ts + 2_400_000, 171, 95));
            client.disconnect();
        }
        JsonObject open = awaitAlerts(d.doctorId(), "open", 1, 3);
        JsonObject alert = open.getJsonArray("items").getJsonObject(0);
        assertThat(alert.getString("severity")).isEqualTo("warning");
        assertThat(alert.getDouble("lastValue")).isEqualTo(171.0);

        var ack = api.send("POST", "/api/v1/alerts/" + alert.getLong("id") + "/ack", null);
        assertThat(ack.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(ack.body()).getString("status")).isEqualTo("acknowledged");
        assertThat(new JsonObject(ack.body()).getString("acknowledgedBy")).isEqualTo("admin");
        assertThat(api.get("/api/v1/alerts?doctorId=" + d.doctorId() + "&status=open").getJsonArray("items")).isEmpty();
        assertThat(api.send("POST", "/api/v1/alerts/999999/ack", null).statusCode()).isEqualTo(404);
    }

    /** Waits (bounded) until the doctor's alert list shows {@code occurrences}; alert writes follow PUBACKs. */
    private static JsonObject awaitAlerts(long doctorId, String status, int count, int occurrences) throws Exception {
        Predicate<JsonObject> reached = page -> page.getJsonArray("items").size() == count
                && page.getJsonArray("items").getJsonObject(0).getInteger("occurrences") == occurrences;
        JsonObject page = Poll.latest(Duration.ofSeconds(10),
                () -> api.get("/api/v1/alerts?doctorId=" + doctorId + "&status=" + status), reached);
        if (!reached.test(page)) {
            throw new AssertionError("alerts never reached " + occurrences + " occurrences: " + page.encode());
        }
        return page;
    }

    @Test
    void wrongOrUnknownCredentialsGetTheMqtt311Refusal() throws Exception {
        Devices d = newDevice();
        for (String[] credentials : new String[][] {{d.serial(), "not-the-secret"}, {"NO-SUCH-DEVICE", d.secret()}}) {
            MqttClient client = new MqttClient(server.mqttUri(), "bad-" + credentials[0],
                    new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setUserName(credentials[0]);
            options.setPassword(credentials[1].toCharArray());
            assertThatThrownBy(() -> client.connect(options))
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode())
                            .as("CONNACK 0x04 bad user name or password").isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
            client.close();
        }
    }

    @Test
    void mqtt5ClientsGetReasonCodesForBadCredentialsAndForeignTopics() throws Exception {
        Devices d = newDevice();
        Devices other = newDevice();
        String uri = server.mqttUri();

        MqttAsyncClient refused = new MqttAsyncClient(server.mqttUri(), "v5-bad", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        MqttConnectionOptions bad = new MqttConnectionOptions();
        bad.setUserName(d.serial());
        bad.setPassword("wrong".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> refused.connect(bad).waitForCompletion(10_000))
                .isInstanceOfSatisfying(org.eclipse.paho.mqttv5.common.MqttException.class,
                        e -> assertThat(e.getReasonCode()).as("0x86 bad user name or password").isEqualTo(0x86));
        refused.close();

        MqttAsyncClient client = new MqttAsyncClient(server.mqttUri(), "v5-good", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        MqttConnectionOptions good = new MqttConnectionOptions();
        good.setUserName(d.serial());
        good.setPassword(d.secret().getBytes(StandardCharsets.UTF_8));
        client.connect(good).waitForCompletion(10_000);
        long ts = Instant.now().toEpochMilli();
        IMqttToken foreign = client.publish(other.topic(), bloodPressure(ts, 120, 80).getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(reasonCodes(foreign)).as("0x87 not authorized").containsExactly(0x87);
        IMqttToken own = client.publish(d.topic(), bloodPressure(ts, 120, 80).getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(reasonCodes(own)).containsExactly(0x00);
        IMqttToken garbage = client.publish(d.topic(), "not json".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(reasonCodes(garbage)).as("0x99 payload format invalid").containsExactly(0x99);
        client.disconnect().waitForCompletion(5_000);
        client.close();

        assertThat(storedValues(other.patientId(), 1, ts)).as("nothing stored for the other device's patient").isEmpty();
        assertThat(storedValues(d.patientId(), 1, ts)).containsExactly(120.0);
    }

    private static List<Integer> reasonCodes(IMqttToken token) {
        try {
            token.waitForCompletion(10_000);
        } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
            // Paho reports a failure reason code as an exception; the codes stay on the token.
        }
        List<Integer> codes = new ArrayList<>();
        for (int code : token.getReasonCodes()) {
            codes.add(code);
        }
        return codes;
    }

    @Test
    void aMqtt311PublishToAForeignTopicClosesTheConnectionAndStoresNothing() throws Exception {
        Devices d = newDevice();
        Devices other = newDevice();
        long ts = Instant.now().toEpochMilli();
        // The asynchronous client: the server may close before a QoS 0 publish token would complete.
        org.eclipse.paho.client.mqttv3.MqttAsyncClient client = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(
                server.mqttUri(), d.serial() + "-async", new MemoryPersistence());
        try {
            CompletableFuture<Throwable> lost = ConnectionEvents.lost(client);
            MqttConnectOptions options = new MqttConnectOptions();
            options.setUserName(d.serial());
            options.setPassword(d.secret().toCharArray());
            client.connect(options).waitForCompletion(10_000);
            client.publish(other.topic(), bloodPressure(ts, 200, 120).getBytes(StandardCharsets.UTF_8), 0, false);
            assertThat(lost.get(10, TimeUnit.SECONDS)).as("the server closed the connection").isNotNull();
        } finally {
            client.close(true);
        }
        assertThat(storedValues(other.patientId(), 1, ts)).isEmpty();
    }

    @Test
    void invalidValuesAreCountedAndTheValidOnesOfTheSameMessageStored() throws Exception {
        Devices d = newDevice();
        long ts = Instant.now().toEpochMilli() - 5_000;
        double before = api.metric("vigil_ingest_readings_rejected_total{reason=\"implausible\"}");
        try (MqttClient client = connect(d)) {
            publish(client, d, "{\"ts\": " + ts + ", \"values\": {\"systolic_bp\": 1200, \"heart_rate\": 71, \"mood\": 3}}");
            publish(client, d, "{\"ts\": ");
            client.disconnect();
        }
        assertThat(storedValues(d.patientId(), 3, ts)).containsExactly(71.0);
        assertThat(storedValues(d.patientId(), 1, ts)).isEmpty();
        assertThat(api.metric("vigil_ingest_readings_rejected_total{reason=\"implausible\"}")).isEqualTo(before + 1);
        assertThat(api.metric("vigil_ingest_readings_rejected_total{reason=\"malformed\"}")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void storedReadingsComeBackThroughTheVitalsApiPageByPage() throws Exception {
        Devices d = newDevice();
        long ts = Instant.now().toEpochMilli() - 600_000;
        try (MqttClient client = connect(d)) {
            publish(client, d, "[" + bloodPressure(ts, 131, 82) + "," + bloodPressure(ts + 60_000, 133, 84) + "]");
            client.disconnect();
        }
        String path = "/api/v1/patients/" + d.patientId() + "/vitals?metric=systolic_bp&limit=1";
        JsonObject first = api.get(path);
        assertThat(first.getJsonArray("items")).hasSize(1);
        JsonObject reading = first.getJsonArray("items").getJsonObject(0);
        assertThat(reading.getString("metric")).isEqualTo("systolic_bp");
        assertThat(reading.getDouble("value")).isEqualTo(131.0);
        assertThat(reading.getLong("deviceId")).isEqualTo(d.id());
        assertThat(Instant.parse(reading.getString("ts")).toEpochMilli()).isEqualTo(ts);
        JsonObject second = api.get(path + "&after=" + first.getString("next"));
        assertThat(second.getJsonArray("items").getJsonObject(0).getDouble("value")).isEqualTo(133.0);
        JsonObject all = api.get("/api/v1/patients/" + d.patientId() + "/vitals?from=" + (ts - 1) + "&to=" + Instant.ofEpochMilli(ts + 60_001));
        assertThat(all.getJsonArray("items")).hasSize(4);
    }

    @Test
    void brokenApiRequestsGetErrorsThatNameTheField() throws Exception {
        Devices d = newDevice();
        assertError(api.send("POST", "/api/v1/doctors", "{\"name\": \"X\"}"), 400, "organisationId");
        assertError(api.send("POST", "/api/v1/doctors", "{\"name\": 5, \"organisationId\": 1}"), 400, "name");
        assertError(api.send("POST", "/api/v1/doctors", "{\"name\": \"X\", \"organisationId\": 987654}"), 404, "organisationId");
        assertError(api.send("POST", "/api/v1/organisations", "{\"name\": \"X\", \"tier\": \"hamlet\"}"), 400, "tier");
        assertError(api.send("POST", "/api/v1/organisations", "{\"name\": \"X\", \"tier\": \"village\"}"), 400, "parentId");
        long team = api.teamOf(d.doctorId());
        assertError(api.send("POST", "/api/v1/patients", "{\"name\": \"X\", \"doctorId\": 987654, \"teamId\": " + team + "}"),
                400, "doctorId");
        assertError(api.send("POST", "/api/v1/patients", "{\"name\": \"X\", \"doctorId\": 1, \"teamId\": 987654}"), 404, "teamId");
        assertError(api.send("POST", "/api/v1/patients", "{\"name\": \"X\", \"doctorId\": " + d.doctorId()
                + ", \"teamId\": " + team + ", \"conditions\": [\"flu\"]}"), 400, "conditions");
        assertError(api.send("POST", "/api/v1/patients", "{\"name\": \"X\", \"doctorId\": " + d.doctorId()
                + ", \"teamId\": " + team + ", \"grade\": 4}"), 400, "grade");
        assertError(api.send("POST", "/api/v1/devices", "{\"serial\": \"" + d.serial() + "\", \"type\": \"bp_monitor\", \"patientId\": "
                + d.patientId() + "}"), 409, "serial");
        assertError(api.send("POST", "/api/v1/devices", "{\"serial\": \"a/b\", \"type\": \"bp_monitor\", \"patientId\": 1}"), 400, "serial");
        assertError(api.send("GET", "/api/v1/patients/" + d.patientId() + "/vitals?metric=mood", null), 400, "metric");
        assertThat(api.send("GET", "/api/v1/patients/987654/vitals", null).statusCode()).isEqualTo(404);
        assertThat(api.send("GET", "/api/v1/doctors/987654/alerts/stream", null).statusCode()).isEqualTo(404);
        assertThat(api.send("POST", "/api/v1/doctors", "[1, 2").statusCode()).isEqualTo(400);
        try (ApiClient anonymous = new ApiClient(server.httpPort(), "wrong-token-wrong-token")) {
            assertThat(anonymous.send("GET", "/api/v1/doctors", null).statusCode()).isEqualTo(401);
        }
    }

    private static void assertError(java.net.http.HttpResponse<String> response, int status, String field) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(new JsonObject(response.body()).getString("field")).isEqualTo(field);
    }

    @Test
    void healthAndMetricsAreServed() throws Exception {
        var health = api.send("GET", "/health", null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(health.body()).getString("database")).isEqualTo("up");
        String metrics = api.send("GET", "/metrics", null).body();
        assertThat(metrics).contains("vigil_ingest_readings_stored_total", "vigil_ingest_batch_write_seconds_bucket",
                "vigil_alerts_opened_total{rule=\"blood_pressure_high\",severity=\"critical\"}", "vigil_ingest_readings_rejected_total{reason=\"implausible\"}");
    }

    @Test
    void aReadingFromMosquittoPubRaisesAnAlert() throws Exception {
        Path mosquittoPub = Path.of("/usr/bin/mosquitto_pub");
        assumeThat(Files.isExecutable(mosquittoPub)).as("Debian's mosquitto-clients is installed").isTrue();
        Devices d = newDevice();
        BlockingQueue<ApiClient.FeedEvent> feed = api.subscribe(d.doctorId());
        Process pub = new ProcessBuilder(mosquittoPub.toString(), "-h", "127.0.0.1", "-p", String.valueOf(server.mqttPort()),
                "-u", d.serial(), "-P", d.secret(), "-q", "1", "-t", d.topic(),
                "-m", "{\"values\": {\"glucose\": 2.6}}").redirectErrorStream(true).start();
        assertThat(pub.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(pub.exitValue()).as(new String(pub.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();

        ApiClient.FeedEvent event = feed.poll(5, TimeUnit.SECONDS);
        assertThat(event).isNotNull();
        assertThat(event.data().getString("rule")).isEqualTo("glucose_low");
        assertThat(event.data().getString("severity")).isEqualTo("critical");
    }
}
