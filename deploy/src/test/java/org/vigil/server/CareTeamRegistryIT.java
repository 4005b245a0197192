package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.common.testing.Poll;

/**
 * The care-team registry against a real server, PostgreSQL and MQTT clients: contracts route alerts to whoever is
 * responsible when they open, a device's readings follow its bindings by measurement time, care-plan thresholds
 * reach the rule engine at once, devices report their connection state, and the audit log cannot be rewritten.
 */
@Timeout(120)
class CareTeamRegistryIT {

    @RegisterExtension
    static final RunningServer server = RunningServer.builder()
            .set("VIGIL_DEVICE_STATE_FLUSH", "PT0.2S")
            .build();
    private static final ApiClient api = server.api();

    private String mqtt() {
        return server.mqttUri();
    }

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        Poll.until(what, Duration.ofSeconds(10), condition);
    }

    private static JsonArray alertsOf(long patientId) {
        try {
            return api.get("/api/v1/alerts?patientId=" + patientId).getJsonArray("items");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aContractChangeMovesActiveAlertsAndRoutesNewOnesToTheNewResponsibleDoctor() throws Exception {
        Devices d = Devices.register(api, "CONTRACT");
        long doctorB = api.newDoctor("Dr Successor");
        BlockingQueue<ApiClient.FeedEvent> feedB = api.subscribe(doctorB);
        long now = Instant.now().toEpochMilli();
        try (MqttClient client = d.connect(mqtt())) {
            client.publish(d.topic(), Devices.message("{\"ts\": " + (now - 3000) + ", \"values\": {\"systolic_bp\": 190,"
                    + " \"diastolic_bp\": 112}}", 1));
            client.publish(d.topic(), Devices.message("{\"ts\": " + (now - 2000) + ", \"values\": {\"glucose\": 2.4}}", 1));
            await("two alerts for the first doctor", () -> alertsOf(d.patientId()).size() == 2);
            JsonObject pressure = alert(d.patientId(), "blood_pressure_high");
            JsonObject glucose = alert(d.patientId(), "glucose_low");
            assertThat(pressure.getLong("doctorId")).isEqualTo(d.doctorId());
            HttpResponse<String> resolved = api.send("POST", "/api/v1/alerts/" + pressure.getLong("id") + "/resolve",
                    "{\"disposition\": \"contacted_patient\"}");
            assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(200);

            HttpResponse<String> change = api.send("POST", "/api/v1/patients/" + d.patientId() + "/contracts",
                    new JsonObject().put("teamId", api.teamOf(doctorB)).put("doctorId", doctorB).encode());
            assertThat(change.statusCode()).as(change.body()).isEqualTo(201);
            JsonArray history = new JsonObject(change.body()).getJsonArray("items");
            assertThat(history).hasSize(2);
            assertThat(history.getJsonObject(0).getLong("doctorId")).isEqualTo(d.doctorId());
            assertThat(history.getJsonObject(0).getString("validTo")).as("the old contract ended").isNotNull();
            assertThat(history.getJsonObject(1).getLong("doctorId")).isEqualTo(doctorB);
            assertThat(api.get("/api/v1/patients/" + d.patientId()).getLong("doctorId")).isEqualTo(doctorB);

            ApiClient.FeedEvent moved = feedB.poll(10, TimeUnit.SECONDS);
            assertThat(moved).as("the active alert follows the patient").isNotNull();
            assertThat(moved.name()).isEqualTo("alert.rerouted");
            assertThat(moved.data().getLong("id")).isEqualTo(glucose.getLong("id"));
            assertThat(alert(d.patientId(), "blood_pressure_high").getLong("doctorId"))
                    .as("a resolved alert stays in the old doctor's history").isEqualTo(d.doctorId());

            client.publish(d.topic(), Devices.message("{\"ts\": " + (now - 1000) + ", \"values\": {\"body_temp\": 39.6}}", 1));
            client.disconnect();
        }
        await("the new alert", () -> alertsOf(d.patientId()).size() == 3);
        JsonObject fever = alert(d.patientId(), "body_temp_high");
        assertThat(fever.getLong("doctorId")).as("opened after the change: the new doctor").isEqualTo(doctorB);
        ApiClient.FeedEvent opened = feedB.poll(10, TimeUnit.SECONDS);
        assertThat(opened).isNotNull();
        assertThat(opened.data().getLong("id")).isEqualTo(fever.getLong("id"));

        String tokenA = new JsonObject(api.send("POST", "/api/v1/doctors/" + d.doctorId() + "/tokens", null).body())
                .getString("token");
        try (ApiClient formerDoctor = new ApiClient(server.httpPort(), tokenA)) {
            long pressureId = alert(d.patientId(), "blood_pressure_high").getLong("id");
            long glucoseId = alert(d.patientId(), "glucose_low").getLong("id");
            assertThat(formerDoctor.send("GET", "/api/v1/alerts/" + pressureId, null).statusCode())
                    .as("an alert she handled stays readable to her").isEqualTo(200);
            HttpResponse<String> act = formerDoctor.send("POST", "/api/v1/alerts/" + pressureId + "/snooze",
                    new JsonObject().put("until", Instant.now().plusSeconds(600).toString()).put("reason", "x").encode());
            assertThat(act.statusCode()).as("but she no longer acts on it").isEqualTo(409);
            assertThat(act.body()).contains("no longer in your care");
            assertThat(formerDoctor.send("GET", "/api/v1/alerts/" + glucoseId, null).statusCode())
                    .as("the moved alert is her successor's").isEqualTo(404);
            assertThat(formerDoctor.send("GET", "/api/v1/patients/" + d.patientId(), null).statusCode()).isEqualTo(404);
        }

        assertThat(api.send("POST", "/api/v1/patients/" + d.patientId() + "/contracts",
                new JsonObject().put("teamId", api.teamOf(doctorB)).put("doctorId", doctorB)
                        .put("from", "2020-01-01T00:00:00Z").encode()).statusCode())
                .as("a contract starting before the current one is a conflict").isEqualTo(409);
        assertThat(api.send("DELETE", "/api/v1/teams/" + api.teamOf(doctorB) + "/members/" + doctorB, null).statusCode())
                .as("the responsible doctor cannot leave the team").isEqualTo(409);
    }

    private static JsonObject alert(long patientId, String rule) {
        return alertsOf(patientId).stream().map(a -> (JsonObject) a).filter(a -> rule.equals(a.getString("rule")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + rule + " alert"));
    }

    @Test
    void aReadingBelongsToThePatientTheDeviceWasBoundToWhenItWasMeasured() throws Exception {
        Devices d = Devices.register(api, "REBIND");
        long second = api.newPatient(d.doctorId());
        long before;
        CountDownLatch closed = new CountDownLatch(1);
        try (MqttClient client = d.connect(mqtt())) {
            client.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    closed.countDown();
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            before = Instant.now().toEpochMilli() - 60_000;
            HttpResponse<String> bound = api.send("POST", "/api/v1/devices/" + d.id() + "/binding",
                    new JsonObject().put("patientId", second).encode());
            assertThat(bound.statusCode()).as(bound.body()).isEqualTo(200);
            assertThat(new JsonObject(bound.body()).getLong("patientId")).isEqualTo(second);
            assertThat(closed.await(10, TimeUnit.SECONDS)).as("the open connection was closed").isTrue();
        }
        long after = Instant.now().toEpochMilli() + 1_000;
        try (MqttClient client = d.connect(mqtt())) {
            // One upload: a reading buffered before the move, and one measured after it.
            client.publish(d.topic(), Devices.message("[{\"ts\": " + before + ", \"values\": {\"heart_rate\": 61}},"
                    + " {\"ts\": " + after + ", \"values\": {\"heart_rate\": 62}}]", 1));
            client.disconnect();
        }
        JsonArray first = api.get("/api/v1/patients/" + d.patientId() + "/vitals?metric=heart_rate").getJsonArray("items");
        JsonArray moved = api.get("/api/v1/patients/" + second + "/vitals?metric=heart_rate").getJsonArray("items");
        assertThat(first.stream().map(r -> ((JsonObject) r).getDouble("value"))).containsExactly(61.0);
        assertThat(moved.stream().map(r -> ((JsonObject) r).getDouble("value"))).containsExactly(62.0);
        assertThat(api.get("/api/v1/devices/" + d.id() + "/bindings").getJsonArray("items")).hasSize(2);

        double unboundBefore = api.metric("vigil_ingest_readings_rejected_total{reason=\"unbound\"}");
        HttpResponse<String> ended = api.send("POST", "/api/v1/devices/" + d.id() + "/binding/end", null);
        assertThat(ended.statusCode()).as(ended.body()).isEqualTo(200);
        try (MqttClient client = d.connect(mqtt())) {
            client.publish(d.topic(), Devices.message("{\"ts\": " + (Instant.now().toEpochMilli() + 1000)
                    + ", \"values\": {\"heart_rate\": 63}}", 1));
            client.disconnect();
        }
        assertThat(api.metric("vigil_ingest_readings_rejected_total{reason=\"unbound\"}")).isEqualTo(unboundBefore + 1);
        HttpResponse<String> overlapping = api.send("POST", "/api/v1/devices/" + d.id() + "/binding",
                new JsonObject().put("patientId", second).put("from", "2020-01-01T00:00:00Z").encode());
        assertThat(overlapping.statusCode()).as("periods never overlap").isEqualTo(409);
        assertThat(new JsonObject(overlapping.body()).getString("field")).isEqualTo("from");
        assertThat(api.get("/api/v1/patients/" + second + "/vitals?metric=heart_rate").getJsonArray("items")).hasSize(1);
    }

    @Test
    void aMoveScheduledForLaterDoesNotShowTheNextPatientYet() throws Exception {
        Devices d = Devices.register(api, "LATER");
        long next = api.newPatient(d.doctorId());
        Instant tomorrow = Instant.now().plusSeconds(86_400).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        HttpResponse<String> bound = api.send("POST", "/api/v1/devices/" + d.id() + "/binding",
                new JsonObject().put("patientId", next).put("from", tomorrow.toString()).encode());
        assertThat(bound.statusCode()).as(bound.body()).isEqualTo(200);
        assertThat(new JsonObject(bound.body()).getLong("patientId")).as("still with today's patient").isEqualTo(d.patientId());
        JsonArray bindings = api.get("/api/v1/devices/" + d.id() + "/bindings").getJsonArray("items");
        assertThat(bindings).hasSize(2);
        assertThat(Instant.parse(bindings.getJsonObject(1).getString("validFrom"))).isEqualTo(tomorrow);
    }

    @Test
    void careplanThresholdsReachTheRuleEngineAtOnce() throws Exception {
        Devices d = Devices.register(api, "PLAN");
        String path = "/api/v1/patients/" + d.patientId() + "/care-plan";
        assertThat(api.get(path).getInteger("version")).isZero();
        JsonObject plan = new JsonObject()
                .put("expected", new JsonArray().add(new JsonObject().put("metric", "systolic_bp").put("every", "PT12H")))
                .put("thresholds", new JsonObject().put("blood_pressure_high", new JsonArray().add(new JsonObject()
                        .put("severity", "critical").put("anyOf", new JsonArray().add(new JsonObject()
                                .put("metric", "systolic_bp").put("op", ">=").put("value", 150))))));
        double reloads = api.metric("vigil_alerts_profiles_reloaded_total");
        try (MqttClient client = d.connect(mqtt())) {
            // The engine knows the patient (with default thresholds) before the plan changes.
            client.publish(d.topic(), Devices.message("{\"values\": {\"systolic_bp\": 128, \"diastolic_bp\": 80}}", 1));
            await("the patient to be evaluated", () -> {
                try {
                    return api.metric("vigil_alerts_readings_evaluated_total") > 0;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            HttpResponse<String> set = api.send("PUT", path, plan.encode());
            assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
            assertThat(new JsonObject(set.body()).getInteger("version")).isEqualTo(1);
            await("the profile reload", () -> {
                try {
                    return api.metric("vigil_alerts_profiles_reloaded_total") > reloads;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // 155 mmHg is below the default bands, above this patient's personal one.
            client.publish(d.topic(), Devices.message("{\"values\": {\"systolic_bp\": 155, \"diastolic_bp\": 85}}", 1));
            client.disconnect();
        }
        await("the personal-threshold alert", () -> !alertsOf(d.patientId()).isEmpty());
        JsonObject alert = alertsOf(d.patientId()).getJsonObject(0);
        assertThat(alert.getString("rule")).isEqualTo("blood_pressure_high");
        assertThat(alert.getString("severity")).isEqualTo("critical");

        assertThat(api.send("PUT", path, plan.copy().put("version", 0).encode()).statusCode())
                .as("a change built on an old version is a conflict").isEqualTo(409);
        HttpResponse<String> second = api.send("PUT", path, plan.copy().put("version", 1).encode());
        assertThat(new JsonObject(second.body()).getInteger("version")).isEqualTo(2);
        assertThat(api.get(path + "/history").getJsonArray("items")).hasSize(2);
        assertField(api.send("PUT", path, "{\"thresholds\": {\"no_such_rule\": [{\"severity\": \"critical\","
                + " \"anyOf\": [{\"metric\": \"glucose\", \"op\": \"<\", \"value\": 3}]}]}}"), "thresholds");
        assertField(api.send("PUT", path, "{\"expected\": [{\"metric\": \"body_weight\", \"every\": \"daily\"}]}"),
                "expected[0].every");
        assertField(api.send("PUT", path, "{\"thresholds\": {\"glucose_low\": [{\"severity\": \"critical\","
                + " \"anyOf\": [{\"metric\": \"glucose\", \"op\": \"~\", \"value\": 3}]}]}}"), "thresholds.glucose_low[0].anyOf[0].op");
    }

    private static void assertField(HttpResponse<String> response, String field) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(new JsonObject(response.body()).getString("field")).isEqualTo(field);
    }

    @Test
    void devicesReportTheirConnectionStateAndLastSeenTime() throws Exception {
        Devices d = Devices.register(api, "STATE");
        String path = "/api/v1/devices/" + d.id();
        assertThat(api.get(path).getBoolean("connected")).isFalse();
        try (MqttClient client = d.connect(mqtt())) {
            await("connected", () -> device(path).getBoolean("connected"));
            client.publish(d.topic(), Devices.message("{\"values\": {\"heart_rate\": 70}}", 1));
            client.disconnect();
        }
        await("disconnected", () -> !device(path).getBoolean("connected"));
        JsonObject device = device(path);
        assertThat(Instant.parse(device.getString("lastSeenAt"))).isAfter(Instant.now().minusSeconds(30));
        assertThat(device.getString("connectionChangedAt")).isNotNull();
    }

    private static JsonObject device(String path) {
        try {
            return api.get(path);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theOrganisationTreeHasAFixedShapeAndListsArePaged() throws Exception {
        long county = api.newOrganisation("Shape county", "county", null);
        assertField(api.send("POST", "/api/v1/organisations", new JsonObject().put("name", "V").put("tier", "village")
                .put("parentId", county).encode()), "parentId");
        assertThat(api.send("POST", "/api/v1/organisations", new JsonObject().put("name", "T").put("tier", "township")
                .put("parentId", 987654).encode()).statusCode()).isEqualTo(404);
        api.newOrganisation("Shape township 1", "township", county);
        api.newOrganisation("Shape township 2", "township", county);
        JsonObject page = api.get("/api/v1/organisations?parentId=" + county + "&limit=1");
        assertThat(page.getJsonArray("items")).hasSize(1);
        JsonObject next = api.get("/api/v1/organisations?parentId=" + county + "&limit=1&after=" + page.getLong("next"));
        assertThat(next.getJsonArray("items").getJsonObject(0).getString("name")).isEqualTo("Shape township 2");
    }

    @Test
    void movingATownshipCarriesItsClinicsAndTheirPatientsToTheNewCounty() throws Exception {
        long countyA = api.newOrganisation("Move county A", "county", null);
        long countyB = api.newOrganisation("Move county B", "county", null);
        long township = api.newOrganisation("Move township", "township", countyA);
        Devices d = Devices.register(api, "MOVE", api.newOrganisation("Move village", "village", township));
        try (ApiClient doctorA = doctor(api.newDoctor("Dr County A", countyA));
             ApiClient doctorB = doctor(api.newDoctor("Dr County B", countyB))) {
            String path = "/api/v1/patients/" + d.patientId();
            assertThat(doctorA.send("GET", path, null).statusCode()).isEqualTo(200);
            assertThat(doctorB.send("GET", path, null).statusCode()).isEqualTo(404);

            assertField(api.send("PATCH", "/api/v1/organisations/" + township, new JsonObject().put("parentId", township)
                    .encode()), "parentId");
            HttpResponse<String> moved = api.send("PATCH", "/api/v1/organisations/" + township,
                    new JsonObject().put("parentId", countyB).encode());
            assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
            assertThat(new JsonObject(moved.body()).getLong("parentId")).isEqualTo(countyB);

            assertThat(doctorA.send("GET", path, null).statusCode()).as("no longer in county A's tree").isEqualTo(404);
            assertThat(doctorB.send("GET", path, null).statusCode()).as("now in county B's tree").isEqualTo(200);
        }
    }

    private ApiClient doctor(long doctorId) throws Exception {
        String token = new JsonObject(api.send("POST", "/api/v1/doctors/" + doctorId + "/tokens", null).body())
                .getString("token");
        return new ApiClient(server.httpPort(), token);
    }

    @Test
    void theAuditLogIsAppendOnly() throws Exception {
        api.newOrganisation("Audited county", "county", null);
        assertThat(api.get("/api/v1/audit?action=organisation.created").getJsonArray("items")).isNotEmpty();
        try (Connection c = server.connection()) {
            assertThatThrownBy(() -> c.createStatement().executeUpdate("UPDATE audit_event SET actor = 'nobody'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
            assertThatThrownBy(() -> c.createStatement().executeUpdate("DELETE FROM audit_event"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
        }
    }
}
