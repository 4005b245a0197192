package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Chronic care through the real server: glucose with a measurement context over MQTT, control status from the
 * stored readings, follow-ups with classified intervention, the overdue list, graded management and the indicators
 * with their drill-down and CSV, each under the registry's access rules.
 */
@Timeout(120)
class ChronicCareIT {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static VigilServer server;
    private static ApiClient admin;
    private static ApiClient doctor;
    private static ApiClient stranger;
    private static Devices device;
    private static long followedPatient;
    private static long neverFollowed;
    private static LocalDate today;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = new HashMap<>(TestServers.externalDatabase());
        env.putAll(TestServers.loopback());
        env.put("VIGIL_CHRONIC_REFRESH_DELAY", "50ms");
        server = TestServers.start(env);
        admin = new ApiClient(server.httpPort(), server.adminToken());
        today = LocalDate.now(SHANGHAI);
        device = Devices.register(admin, "chronic");
        admin.send("PATCH", "/api/v1/patients/" + device.patientId(),
                new JsonObject().put("conditions", new JsonArray().add("hypertension").add("diabetes")).encode());
        doctor = new ApiClient(server.httpPort(), token(device.doctorId()));
        long otherDoctor = admin.newDoctor("Dr elsewhere");
        stranger = new ApiClient(server.httpPort(), token(otherDoctor));
        // Two more patients of the same doctor: one followed up long ago, one never since her contract began.
        followedPatient = patient(device.doctorId(), Instant.now().minus(Duration.ofDays(200)));
        neverFollowed = patient(device.doctorId(), Instant.now().minus(Duration.ofDays(30)));
    }

    private static long patient(long doctorId, Instant from) throws Exception {
        return admin.create("/api/v1/patients", new JsonObject().put("name", "患者 " + from.getEpochSecond())
                .put("doctorId", doctorId).put("teamId", admin.teamOf(doctorId)).put("from", from.toString())
                .put("conditions", new JsonArray().add("hypertension"))).getLong("id");
    }

    private static String token(long doctorId) throws Exception {
        HttpResponse<String> issued = admin.send("POST", "/api/v1/doctors/" + doctorId + "/tokens", null);
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
        return new JsonObject(issued.body()).getString("token");
    }

    @AfterAll
    static void stop() {
        for (ApiClient c : new ApiClient[] {admin, doctor, stranger}) {
            if (c != null) {
                c.close();
            }
        }
        if (server != null) {
            server.close();
        }
    }

    private static long statusRows(long patientId) throws Exception {
        try (java.sql.Connection c = server.database().dataSource().getConnection();
                java.sql.PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM control_status WHERE patient_id = ?")) {
            ps.setLong(1, patientId);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String bp(Instant at, int systolic, int diastolic) {
        return "{\"ts\": \"" + at + "\", \"values\": {\"systolic_bp\": " + systolic + ", \"diastolic_bp\": " + diastolic + "}}";
    }

    private static String glucose(Instant at, double value, String context) {
        return "{\"ts\": \"" + at + "\", \"context\": \"" + context + "\", \"values\": {\"glucose\": " + value + "}}";
    }

    private static JsonObject condition(JsonObject control, String name) {
        for (Object o : control.getJsonArray("items")) {
            JsonObject item = (JsonObject) o;
            if (item.getString("condition").equals(name)) {
                return item;
            }
        }
        throw new AssertionError("no " + name + " in " + control.encode());
    }

    @Test
    void homeReadingsFollowUpsGradesAndIndicatorsThroughTheApi() throws Exception {
        Instant now = Instant.now();
        try (MqttClient mqtt = device.connect("tcp://127.0.0.1:" + server.mqttPort())) {
            StringBuilder batch = new StringBuilder("[");
            // Days 2 to 4 back: the newest home BP (an hour after the day-2 one) is on an earlier Shanghai day than
            // today's office value at any time of day, so the office value is the newer one below.
            for (int d = 2; d <= 4; d++) {
                Instant day = now.minus(Duration.ofDays(d));
                batch.append(bp(day, 126, 78)).append(',').append(bp(day.plusSeconds(3600), 130, 82)).append(',');
            }
            batch.append(glucose(now.minus(Duration.ofHours(30)), 6.5, "fasting")).append(',')
                    .append(glucose(now.minus(Duration.ofHours(26)), 9.8, "after_meal")).append(',')
                    .append(glucose(now.minus(Duration.ofHours(25)), 5.1, "teatime")).append(',')
                    .append(glucose(now.minus(Duration.ofMinutes(5)), 2.9, "bedtime")).append(']');
            mqtt.publish(device.topic(), Devices.message(batch.toString(), 1));
            mqtt.disconnect();
        }
        assertThat(admin.metric("vigil_ingest_readings_rejected_total{reason=\"unknown_context\"}")).isEqualTo(1);
        // The stored batch reaches both followers: alerting opens the hypoglycaemia alert, and chronic care records
        // the patient's status without anyone asking for it.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (admin.get("/api/v1/alerts?patientId=" + device.patientId()).getJsonArray("items").isEmpty()
                || statusRows(device.patientId()) < 2) {
            assertThat(System.nanoTime()).as("alert opened and status recorded within 20 s").isLessThan(deadline);
            Thread.sleep(50);
        }

        JsonArray glucose = admin.get("/api/v1/patients/" + device.patientId() + "/vitals?metric=glucose")
                .getJsonArray("items");
        assertThat(glucose.stream().map(o -> ((JsonObject) o).getString("context")).toList())
                .as("oldest first, each with its context").containsExactly("fasting", "after_meal", "bedtime");
        // Control: the home mean 128/80 of 6 readings on 3 days; the fasting 6.5 decides, not the 9.8 after a meal.
        String patient = "/api/v1/patients/" + device.patientId();
        JsonObject control = doctor.get(patient + "/control");
        JsonObject hypertension = condition(control, "hypertension");
        assertThat(hypertension.getString("status")).isEqualTo("controlled");
        assertThat(hypertension.getString("basis")).isEqualTo("home_mean");
        assertThat(hypertension.getJsonObject("figures").getInteger("homeReadings")).isEqualTo(6);
        assertThat(hypertension.getJsonObject("figures").getDouble("homeMeanSystolic")).isEqualTo(128.0);
        JsonObject diabetes = condition(control, "diabetes");
        assertThat(diabetes.getString("status")).isEqualTo("controlled");
        assertThat(diabetes.getJsonObject("figures").getInteger("fastingReadings")).isEqualTo(1);
        assertThat(diabetes.getJsonObject("figures").getInteger("otherGlucoseReadings")).isEqualTo(2);
        String since = hypertension.getString("since");
        assertThat(condition(doctor.get(patient + "/control"), "hypertension").getString("since"))
                .as("an unchanged status keeps its start").isEqualTo(since);
        assertThat(stranger.send("GET", patient + "/control", null).statusCode())
                .as("another doctor's patient is not found").isEqualTo(404);

        // A follow-up with an office BP of 150/95 today: first time uncontrolled, recheck within two weeks.
        JsonObject first = doctor.create(patient + "/follow-ups", new JsonObject().put("type", "face_to_face")
                .put("classification", "uncontrolled").put("measurements", new JsonObject()
                        .put("systolic_bp", 150).put("diastolic_bp", 95))
                .put("actions", new JsonArray().add("medication_adjusted")).put("note", "加量"));
        assertThat(first.getJsonObject("next").getString("rule")).isEqualTo("recheck");
        assertThat(first.getJsonObject("next").getString("due")).isEqualTo(today.plusDays(14).toString());
        assertThat(first.getJsonArray("conditions")).containsExactly("diabetes", "hypertension");
        hypertension = condition(doctor.get(patient + "/control"), "hypertension");
        assertThat(hypertension.getString("basis")).as("the office value is newer than the home mean").isEqualTo("office");
        assertThat(hypertension.getString("status")).isEqualTo("uncontrolled");
        JsonObject second = doctor.create(patient + "/follow-ups", new JsonObject().put("type", "phone")
                .put("classification", "uncontrolled").put("conditions", new JsonArray().add("hypertension")));
        assertThat(second.getJsonObject("next").getString("rule")).isEqualTo("referral");
        assertThat(second.getJsonObject("next").getBoolean("referralSuggested")).isTrue();
        assertThat(doctor.send("POST", patient + "/follow-ups", new JsonObject().put("type", "telepathy")
                .put("classification", "controlled").encode()).statusCode()).isEqualTo(400);
        assertThat(stranger.send("POST", patient + "/follow-ups", new JsonObject().put("type", "phone")
                .put("classification", "controlled").encode()).statusCode()).isEqualTo(404);
        assertThat(doctor.get(patient + "/follow-ups").getJsonArray("items")).hasSize(2);

        // Overdue: a routine follow-up due 110 days after one of 200 days ago; a patient never followed up.
        admin.create("/api/v1/patients/" + followedPatient + "/follow-ups", new JsonObject()
                .put("doctorId", device.doctorId()).put("type", "face_to_face").put("classification", "controlled")
                .put("date", today.minusDays(120).toString()));
        JsonArray overdue = doctor.get("/api/v1/doctors/" + device.doctorId() + "/follow-ups/overdue").getJsonArray("items");
        assertThat(overdue.stream().map(o -> ((JsonObject) o).getLong("patientId")).toList())
                .as("never followed up first, then the routine one; the patient due in two weeks is not overdue")
                .containsExactly(neverFollowed, followedPatient);
        assertThat(overdue.getJsonObject(1).getString("rule")).isEqualTo("routine");
        assertThat(overdue.getJsonObject(1).getString("due")).isEqualTo(today.minusDays(120).plusMonths(3).toString());
        assertThat(stranger.get("/api/v1/doctors/" + device.doctorId() + "/follow-ups/overdue")
                .getJsonArray("items")).as("the patients she may not see are left out").isEmpty();

        // Grade: a suggestion with reasons; an override needs a note, and is kept with who and when.
        JsonObject grade = doctor.get(patient + "/grade");
        int suggested = grade.getJsonObject("suggested").getInteger("grade");
        assertThat(grade.getJsonObject("suggested").getJsonArray("reasons")).isNotEmpty();
        int other = suggested == 3 ? 2 : 3;
        assertThat(doctor.send("POST", patient + "/grade", new JsonObject().put("grade", other).encode()).statusCode())
                .isEqualTo(400);
        JsonObject decided = doctor.create(patient + "/grade", new JsonObject().put("grade", other).put("note", "家属报告头晕"));
        assertThat(decided.getString("decision")).isEqualTo("overridden");
        assertThat(decided.getString("decidedBy")).isEqualTo("doctor:" + device.doctorId());
        JsonObject summary = doctor.get(patient + "/summary");
        assertThat(summary.getJsonArray("control")).hasSize(2);
        assertThat(summary.getJsonObject("openAlerts").getInteger("critical")).isEqualTo(1);
        assertThat(summary.getJsonObject("grade").getJsonObject("current").getInteger("grade")).isEqualTo(other);
        assertThat(summary.getJsonObject("nextFollowUp").getString("rule")).isEqualTo("referral");

        // Indicators of the doctor over the last 90 days.
        String period = "doctorId=" + device.doctorId() + "&from=" + today.minusDays(89) + "&to=" + today;
        JsonArray items = doctor.get("/api/v1/indicators?" + period).getJsonArray("items");
        Map<String, JsonObject> byId = new HashMap<>();
        items.forEach(o -> byId.put(((JsonObject) o).getString("id"), (JsonObject) o));
        assertThat(byId.get("managed_hypertension").getJsonObject("numerator").getLong("value")).isEqualTo(3);
        assertThat(byId.get("managed_diabetes").getJsonObject("numerator").getLong("value")).isEqualTo(1);
        JsonObject standard = byId.get("standard_management_rate_hypertension");
        assertThat(standard.getJsonObject("numerator").getLong("value")).as("one face-to-face follow-up in 90 days")
                .isEqualTo(1);
        assertThat(standard.getJsonObject("denominator").getLong("value")).isEqualTo(3);
        JsonObject bpControl = byId.get("bp_control_rate");
        assertThat(bpControl.getJsonObject("numerator").getLong("value")).isZero();
        assertThat(bpControl.getJsonObject("denominator").getLong("value")).isEqualTo(3);
        JsonObject drill = doctor.get("/api/v1/indicators/patients?" + period
                + "&indicator=standard_management_rate_hypertension&part=numerator");
        assertThat(drill.getJsonArray("items").stream().map(o -> ((JsonObject) o).getLong("patientId")).toList())
                .containsExactly(device.patientId());
        HttpResponse<String> csv = doctor.send("GET", "/api/v1/indicators/patients?" + period
                + "&indicator=managed_hypertension&format=csv", null);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
        assertThat(csv.body()).startsWith("\uFEFFpatientId,name\r\n").contains("患者 ");
        assertThat(stranger.get("/api/v1/indicators?" + period).getJsonArray("items").getJsonObject(0)
                .getJsonObject("numerator").getLong("value")).as("nothing of patients she may not see").isZero();
        assertThat(doctor.send("GET", "/api/v1/indicators?from=2026-01-01&to=2026-02-01", null).statusCode())
                .isEqualTo(400);

        // Every change is in the audit log with who did it.
        JsonArray audit = admin.get("/api/v1/audit?patientId=" + device.patientId() + "&action=follow_up.recorded")
                .getJsonArray("items");
        assertThat(audit).hasSize(2);
        assertThat(audit.getJsonObject(0).getString("actor")).isEqualTo("doctor:" + device.doctorId());
        assertThat(List.of(byId.keySet().toArray())).contains("ack_p50_critical", "alerts_escalated_share",
                "monitoring_adherence", "glucose_control_rate");
    }
}
