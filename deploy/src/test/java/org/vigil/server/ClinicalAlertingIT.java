package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.common.testing.Poll;

/**
 * The clinical rule engine behind a real server: window rules over buffered uploads, the late flag, automatic
 * resolution of warnings with hysteresis, critical alerts that wait for a doctor, doctors' resolution with a
 * disposition and its transition record, and a restart that does not notify again what was already notified.
 */
@Timeout(120)
class ClinicalAlertingIT {

    private static final long MINUTE = 60_000;
    private static final long DAY = 24 * 60 * MINUTE;

    @RegisterExtension
    static final RunningServer server = RunningServer.builder().build();
    private static final ApiClient api = server.api();
    private static int serials;

    /** A patient with the given conditions, their doctor and one device. */
    private static Devices register(ApiClient client, String... conditions) throws Exception {
        long doctor = client.newDoctor("Dr Clinical " + (++serials));
        JsonArray list = new JsonArray();
        for (String c : conditions) {
            list.add(c);
        }
        long patient = client.create("/api/v1/patients", new JsonObject().put("name", "Patient " + serials)
                .put("doctorId", doctor).put("teamId", client.teamOf(doctor)).put("conditions", list)).getLong("id");
        String serial = "CLIN-" + serials + "-" + System.nanoTime() % 100_000;
        JsonObject device = client.newDevice(serial, patient);
        return new Devices(device.getLong("id"), serial, device.getString("secret"), patient, doctor);
    }

    private static void publish(int mqttPort, Devices d, String json) throws Exception {
        try (MqttClient client = d.connect("tcp://127.0.0.1:" + mqttPort)) {
            client.publish(d.topic(), Devices.message(json, 1));
            client.disconnect();
        }
    }

    private static String reading(long ts, String values) {
        return "{\"ts\": " + ts + ", \"values\": {" + values + "}}";
    }

    private static ApiClient.FeedEvent next(BlockingQueue<ApiClient.FeedEvent> feed) throws InterruptedException {
        ApiClient.FeedEvent event = feed.poll(10, TimeUnit.SECONDS);
        assertThat(event).as("an event on the doctor's feed").isNotNull();
        return event;
    }

    /** Polls an alert until it satisfies the condition (alert writes follow the PUBACKs). */
    private static JsonObject awaitAlert(ApiClient client, long id, Predicate<JsonObject> condition) throws Exception {
        JsonObject alert = Poll.latest(Duration.ofSeconds(10), () -> client.get("/api/v1/alerts/" + id), condition);
        if (!condition.test(alert)) {
            throw new AssertionError("alert never reached the expected state: " + alert.encode());
        }
        return alert;
    }

    /**
     * Verifies that a heart-failure patient's scale uploading three days of buffered weights raises the
     * {@code weight_gain} window rule on the doctor's feed, flagged as raised from late data.
     */
    @Test
    void aBufferedUploadOfWeightGainRaisesALateWindowAlert() throws Exception {
        Devices d = register(api, "heart_failure");
        BlockingQueue<ApiClient.FeedEvent> feed = api.subscribe(d.doctorId());
        long now = Instant.now().toEpochMilli();
        StringJoiner upload = new StringJoiner(",", "[", "]");
        double[] kg = {70.0, 70.6, 71.3, 72.4};
        long[] at = {now - 3 * DAY + 60 * MINUTE, now - 2 * DAY, now - DAY, now - 60 * MINUTE};
        for (int i = 0; i < kg.length; i++) {
            upload.add(reading(at[i], "\"body_weight\": " + kg[i]));
        }
        publish(server.mqttPort(), d, upload.toString());

        ApiClient.FeedEvent event = next(feed);
        assertThat(event.name()).isEqualTo("alert.opened");
        JsonObject alert = event.data();
        assertThat(alert.getString("rule")).isEqualTo("weight_gain");
        assertThat(alert.getString("severity")).isEqualTo("warning");
        assertThat(alert.getString("metric")).isEqualTo("body_weight");
        assertThat(alert.getDouble("value")).as("kilograms gained").isCloseTo(2.4, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(alert.getBoolean("late")).as("raised from a buffered upload").isTrue();
        assertThat(alert.getString("detail")).contains("within");
        assertThat(feed.poll(500, TimeUnit.MILLISECONDS)).as("one alert for the upload").isNull();
    }

    /**
     * Verifies hysteresis: a warning reading opens an alert, one reading back in range leaves it open, the second
     * resolves it automatically ({@code auto_cleared}, by the system), with both transitions recorded; the alert
     * still leads with the reading that raised it.
     */
    @Test
    void aWarningResolvesByItselfOnlyAfterReadingsStayBackInRange() throws Exception {
        Devices d = register(api, "hypertension");
        BlockingQueue<ApiClient.FeedEvent> feed = api.subscribe(d.doctorId());
        long now = Instant.now().toEpochMilli();
        publish(server.mqttPort(), d, reading(now - 3 * MINUTE, "\"systolic_bp\": 166, \"diastolic_bp\": 104"));
        ApiClient.FeedEvent opened = next(feed);
        assertThat(opened.name()).isEqualTo("alert.opened");
        assertThat(opened.data().getBoolean("late")).isFalse();
        long id = opened.data().getLong("id");

        publish(server.mqttPort(), d, reading(now - 2 * MINUTE, "\"systolic_bp\": 128, \"diastolic_bp\": 80"));
        assertThat(feed.poll(1, TimeUnit.SECONDS)).as("one reading in range does not clear it").isNull();
        assertThat(api.get("/api/v1/alerts/" + id).getString("status")).isEqualTo("open");

        publish(server.mqttPort(), d, reading(now - MINUTE, "\"systolic_bp\": 126, \"diastolic_bp\": 78"));
        ApiClient.FeedEvent resolved = next(feed);
        assertThat(resolved.name()).isEqualTo("alert.resolved");
        JsonObject alert = resolved.data();
        assertThat(alert.getLong("id")).isEqualTo(id);
        assertThat(alert.getString("status")).isEqualTo("resolved");
        assertThat(alert.getString("disposition")).isEqualTo("auto_cleared");
        assertThat(alert.getString("resolvedBy")).isEqualTo("system");
        assertThat(alert.getString("severity")).isEqualTo("warning");
        assertThat(alert.getString("detail")).as("led by what raised it, not what cleared it").startsWith("systolic BP 166");

        JsonArray transitions = api.get("/api/v1/alerts/" + id + "/transitions").getJsonArray("items");
        assertThat(transitions).hasSize(2);
        assertThat(transitions.getJsonObject(0).getString("change")).isEqualTo("opened");
        assertThat(transitions.getJsonObject(1).getString("change")).isEqualTo("resolved");
        assertThat(transitions.getJsonObject(1).getString("by")).isEqualTo("system");
        assertThat(transitions.getJsonObject(1).getString("from")).isEqualTo("open");
        assertThat(transitions.getJsonObject(1).getString("to")).isEqualTo("resolved");
    }

    /**
     * Verifies that a critical event does not vanish before a doctor has seen it: a level-2 hypoglycaemia in a
     * buffered upload followed by normal readings opens a critical alert that stays open (on the triage list,
     * escalating) marked back in range, led by the low reading and its time; only the doctor's resolution closes
     * it, and the engine then treats the next low as a new alert.
     */
    @Test
    void aBufferedHypoglycaemiaBackInRangeStaysOpenUntilADoctorResolvesIt() throws Exception {
        Devices d = register(api, "diabetes");
        HttpResponse<String> issued = api.send("POST", "/api/v1/doctors/" + d.doctorId() + "/tokens", null);
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
        try (ApiClient doctor = new ApiClient(server.httpPort(), new JsonObject(issued.body()).getString("token"))) {
            BlockingQueue<ApiClient.FeedEvent> feed = doctor.subscribe(d.doctorId());
            long now = Instant.now().toEpochMilli();
            long low = now - 40 * MINUTE;
            publish(server.mqttPort(), d, "[" + reading(low, "\"glucose\": 2.7") + "," + reading(now - 30 * MINUTE, "\"glucose\": 5.4")
                    + "," + reading(now - 20 * MINUTE, "\"glucose\": 5.5") + "]");

            ApiClient.FeedEvent opened = next(feed);
            assertThat(opened.name()).isEqualTo("alert.opened");
            assertThat(opened.data().getString("rule")).isEqualTo("glucose_low");
            assertThat(opened.data().getString("severity")).isEqualTo("critical");
            long id = opened.data().getLong("id");
            JsonObject alert = awaitAlert(doctor, id, a -> a.containsKey("backInRangeAt"));
            assertThat(alert.getString("status")).as("back in range, still open for the doctor").isEqualTo("open");
            assertThat(Instant.parse(alert.getString("backInRangeAt"))).isEqualTo(Instant.ofEpochMilli(now - 20 * MINUTE));
            assertThat(alert.getDouble("value")).as("the worst reading leads").isEqualTo(2.7);
            assertThat(Instant.parse(alert.getString("measuredAt"))).isEqualTo(Instant.ofEpochMilli(low));
            assertThat(alert.getString("detail")).isEqualTo("glucose 2.7 mmol/L (critical at < 3)");
            assertThat(alert.containsKey("resolvedAt")).isFalse();
            assertThat(feed.poll(1, TimeUnit.SECONDS)).as("not resolved behind the doctor's back").isNull();
            assertThat(doctor.get("/api/v1/alerts?status=open&patientId=" + d.patientId()).getJsonArray("items"))
                    .as("on the doctor's list").extracting(a -> ((JsonObject) a).getLong("id")).containsExactly(id);

            assertThat(doctor.send("POST", "/api/v1/alerts/" + id + "/ack", null).statusCode()).isEqualTo(200);
            assertThat(next(feed).name()).isEqualTo("alert.acknowledged");
            assertThat(doctor.get("/api/v1/alerts/" + id).getString("status")).as("acknowledged is not closed")
                    .isEqualTo("acknowledged");
            HttpResponse<String> response = doctor.send("POST", "/api/v1/alerts/" + id + "/resolve",
                    "{\"disposition\": \"contacted_patient\", \"note\": \"ate, feels fine\"}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(next(feed).name()).isEqualTo("alert.resolved");
            JsonObject resolved = doctor.get("/api/v1/alerts/" + id);
            assertThat(resolved.getString("status")).isEqualTo("resolved");
            assertThat(resolved.getString("resolvedBy")).isEqualTo("doctor:" + d.doctorId());
            assertThat(resolved.getString("detail")).isEqualTo("glucose 2.7 mmol/L (critical at < 3)");
            assertThat(doctor.get("/api/v1/alerts/" + id + "/transitions").getJsonArray("items"))
                    .extracting(t -> ((JsonObject) t).getString("change")).containsExactly("opened", "acknowledged", "resolved");

            // Reviewed and closed: the next level-2 low is a new alert.
            publish(server.mqttPort(), d, reading(now - MINUTE, "\"glucose\": 2.6"));
            ApiClient.FeedEvent again = next(feed);
            assertThat(again.name()).isEqualTo("alert.opened");
            assertThat(again.data().getLong("id")).isNotEqualTo(id);
        }
    }

    /**
     * Verifies that a doctor resolves an alert with a disposition, that every transition is recorded with who
     * and when, that a resolved alert cannot be resolved again, and that the engine then stays quiet while the
     * condition persists.
     */
    @Test
    void aDoctorResolvesWithADispositionAndTheEngineDoesNotReopenWhileTheConditionPersists() throws Exception {
        Devices d = register(api, "diabetes");
        BlockingQueue<ApiClient.FeedEvent> feed = api.subscribe(d.doctorId());
        long now = Instant.now().toEpochMilli();
        publish(server.mqttPort(), d, reading(now - 5 * MINUTE, "\"glucose\": 2.6"));
        ApiClient.FeedEvent opened = next(feed);
        assertThat(opened.data().getString("rule")).isEqualTo("glucose_low");
        long id = opened.data().getLong("id");

        assertThat(api.send("POST", "/api/v1/alerts/" + id + "/ack", null).statusCode()).isEqualTo(200);
        assertThat(next(feed).name()).isEqualTo("alert.acknowledged");

        assertError(api.send("POST", "/api/v1/alerts/" + id + "/resolve", "{\"disposition\": \"bored\"}"), 400, "disposition");
        assertError(api.send("POST", "/api/v1/alerts/" + id + "/resolve", null), 400, "disposition");
        assertError(api.send("POST", "/api/v1/alerts/" + id + "/resolve", "{\"disposition\": \"auto_cleared\"}"), 400, "disposition");
        assertThat(api.send("POST", "/api/v1/alerts/987654/resolve", "{\"disposition\": \"referred\"}").statusCode()).isEqualTo(404);

        HttpResponse<String> response = api.send("POST", "/api/v1/alerts/" + id + "/resolve",
                "{\"disposition\": \"contacted_patient\", \"note\": \"ate, feels fine\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonObject resolved = new JsonObject(response.body());
        assertThat(resolved.getString("status")).isEqualTo("resolved");
        assertThat(resolved.getString("disposition")).isEqualTo("contacted_patient");
        assertThat(resolved.getString("resolvedBy")).isEqualTo("admin");
        assertThat(next(feed).name()).isEqualTo("alert.resolved");
        assertError(api.send("POST", "/api/v1/alerts/" + id + "/resolve", "{\"disposition\": \"referred\"}"), 409, "status");

        JsonArray transitions = api.get("/api/v1/alerts/" + id + "/transitions").getJsonArray("items");
        assertThat(transitions).extracting(t -> ((JsonObject) t).getString("change"))
                .containsExactly("opened", "acknowledged", "resolved");
        JsonObject last = transitions.getJsonObject(2);
        assertThat(last.getString("by")).isEqualTo("admin");
        assertThat(last.getString("from")).isEqualTo("acknowledged");
        assertThat(last.getString("note")).contains("contacted_patient", "ate, feels fine");
        assertThat(Instant.parse(last.getString("at"))).isAfter(Instant.ofEpochMilli(now - MINUTE));
        assertThat(api.send("GET", "/api/v1/alerts/987654/transitions", null).statusCode()).isEqualTo(404);

        // Still low a while later: the doctor has dealt with it; the engine does not reopen the episode.
        publish(server.mqttPort(), d, reading(now - MINUTE, "\"glucose\": 2.8"));
        assertThat(feed.poll(1500, TimeUnit.MILLISECONDS)).as("no new alert while the condition persists").isNull();
        assertThat(api.get("/api/v1/alerts?patientId=" + d.patientId() + "&status=open").getJsonArray("items")).isEmpty();
    }

    /**
     * Verifies that rule state survives a restart: a new server on the same database rebuilds the patient
     * from stored readings and alerts, a further crisis reading updates the open alert without notifying the
     * doctor again, and an episode the doctor resolved while its condition persists is not reopened.
     */
    @Test
    void aRestartDoesNotNotifyAnOpenAlertAgain() throws Exception {
        Map<String, String> env = TestServers.externalDatabase();
        long now = Instant.now().toEpochMilli();
        Devices d;
        long id;
        try (VigilServer first = TestServers.start(env); ApiClient client = new ApiClient(first.httpPort(), first.adminToken())) {
            d = register(client, "hypertension");
            BlockingQueue<ApiClient.FeedEvent> feed = client.subscribe(d.doctorId());
            publish(first.mqttPort(), d, reading(now - 30 * MINUTE, "\"systolic_bp\": 188, \"diastolic_bp\": 106"));
            ApiClient.FeedEvent opened = next(feed);
            assertThat(opened.name()).isEqualTo("alert.opened");
            id = opened.data().getLong("id");
            // A second episode the doctor resolves while the glucose is still low: only the rebuilt rule state
            // (the episode dormant after the doctor's resolution) keeps the restart from opening it anew.
            publish(first.mqttPort(), d, reading(now - 29 * MINUTE, "\"glucose\": 2.7"));
            ApiClient.FeedEvent low = next(feed);
            assertThat(low.data().getString("rule")).isEqualTo("glucose_low");
            assertThat(client.send("POST", "/api/v1/alerts/" + low.data().getLong("id") + "/resolve",
                    "{\"disposition\": \"contacted_patient\"}").statusCode()).isEqualTo(200);
        }

        try (VigilServer second = TestServers.start(env); ApiClient client = new ApiClient(second.httpPort(), second.adminToken())) {
            BlockingQueue<ApiClient.FeedEvent> feed = client.subscribe(d.doctorId());
            publish(second.mqttPort(), d, reading(now - 5 * MINUTE, "\"systolic_bp\": 184, \"diastolic_bp\": 102"));
            publish(second.mqttPort(), d, reading(now - 4 * MINUTE, "\"glucose\": 2.8"));
            JsonObject alert = awaitAlert(client, id, a -> a.getInteger("occurrences") == 2);
            assertThat(alert.getString("status")).isEqualTo("open");
            assertThat(alert.getDouble("lastValue")).isEqualTo(184.0);
            assertThat(feed.poll(Duration.ofSeconds(1).toMillis(), TimeUnit.MILLISECONDS))
                    .as("the restart notifies nobody again").isNull();
            assertThat(client.get("/api/v1/alerts?patientId=" + d.patientId() + "&status=open").getJsonArray("items"))
                    .as("still one open alert: the blood-pressure episode; the resolved glucose one not reopened")
                    .extracting(a -> ((JsonObject) a).getLong("id")).containsExactly(id);
            assertThat(client.get("/api/v1/alerts?patientId=" + d.patientId()).getJsonArray("items")).hasSize(2);
            assertThat(client.get("/api/v1/alerts/" + id + "/transitions").getJsonArray("items")).hasSize(1);
        }
    }

    private static void assertError(HttpResponse<String> response, int status, String field) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(new JsonObject(response.body()).getString("field")).isEqualTo(field);
    }
}
