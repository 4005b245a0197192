package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who may see what, boundary by boundary. The tree: a county hospital over two township health centres; under
 * the first, two village clinics (doctor A with patient a, doctor B with patient b); under the second, one
 * village clinic (doctor C with patient c). A township doctor of the first township and a county doctor complete
 * it.
 *
 * <p>A village doctor reaches only her contracted patients: records, vitals, alerts, acknowledgements, contracts,
 * care plans, devices and her own live feed; another doctor's patient or alert is not found (its existence does
 * not leak). A township doctor also reaches the village clinics below her, not those of another township; the
 * county doctor reaches the whole tree. Registering and changing the registry is for administrators, and every
 * read of a patient's record is in the audit log.
 */
@Timeout(120)
class DoctorAccessIT {

    @RegisterExtension
    static final RunningServer server = RunningServer.builder().build();
    private static final ApiClient admin = server.api();
    private static Devices a;
    private static Devices b;
    private static Devices c;
    private static ApiClient doctorA;
    private static ApiClient township;
    private static ApiClient county;
    private static long townshipDoctor;
    private static long alertA;
    private static long alertB;
    private static long alertC;

    @BeforeAll
    static void start() throws Exception {
        long countyOrg = admin.newOrganisation("Access county hospital", "county", null);
        long township1 = admin.newOrganisation("East township health centre", "township", countyOrg);
        long township2 = admin.newOrganisation("West township health centre", "township", countyOrg);
        a = Devices.register(admin, "ACC-A", admin.newOrganisation("East-1 village clinic", "village", township1));
        b = Devices.register(admin, "ACC-B", admin.newOrganisation("East-2 village clinic", "village", township1));
        c = Devices.register(admin, "ACC-C", admin.newOrganisation("West-1 village clinic", "village", township2));
        townshipDoctor = admin.newDoctor("Dr East township", township1);
        long countyDoctor = admin.newDoctor("Dr County", countyOrg);
        long ts = Instant.now().toEpochMilli() - 1000;
        for (Devices d : new Devices[] {a, b, c}) {
            try (MqttClient client = d.connect(server.mqttUri())) {
                client.publish(d.topic(), Devices.message("{\"ts\": " + ts + ", \"values\": {\"systolic_bp\": 190,"
                        + " \"diastolic_bp\": 115}}", 1));
                client.disconnect();
            }
        }
        alertA = awaitAlert(a.doctorId());
        alertB = awaitAlert(b.doctorId());
        alertC = awaitAlert(c.doctorId());
        doctorA = server.client(tokenFor(a.doctorId()));
        township = server.client(tokenFor(townshipDoctor));
        county = server.client(tokenFor(countyDoctor));
    }

    private static String tokenFor(long doctorId) throws Exception {
        HttpResponse<String> issued = admin.send("POST", "/api/v1/doctors/" + doctorId + "/tokens", null);
        assertThat(issued.statusCode()).isEqualTo(201);
        String token = new JsonObject(issued.body()).getString("token");
        assertThat(token).startsWith("vd_");
        return token;
    }

    private static long awaitAlert(long doctorId) throws Exception {
        return admin.awaitAlerts("doctorId=" + doctorId, Duration.ofSeconds(10)).getJsonObject(0).getLong("id");
    }

    private static int status(ApiClient who, String method, String path) throws Exception {
        return who.send(method, path, null).statusCode();
    }

    private static List<Long> ids(JsonArray items, String field) {
        return items.stream().map(x -> ((JsonObject) x).getLong(field)).toList();
    }

    @Test
    void aVillageDoctorReadsHerContractedPatientsOnly() throws Exception {
        assertThat(ids(doctorA.get("/api/v1/patients").getJsonArray("items"), "id")).containsExactly(a.patientId());
        assertThat(doctorA.get("/api/v1/patients?doctorId=" + b.doctorId()).getJsonArray("items"))
                .as("filtering by another doctor narrows, never widens").isEmpty();
        for (String path : List.of("", "/vitals", "/contracts", "/care-plan", "/care-plan/history")) {
            assertThat(status(doctorA, "GET", "/api/v1/patients/" + a.patientId() + path)).as(path).isEqualTo(200);
            assertThat(status(doctorA, "GET", "/api/v1/patients/" + b.patientId() + path)).as(path).isEqualTo(404);
        }
        assertThat(doctorA.get("/api/v1/patients/" + a.patientId() + "/vitals").getJsonArray("items")).hasSize(2);
        assertThat(status(doctorA, "GET", "/api/v1/devices/" + a.id())).isEqualTo(200);
        assertThat(status(doctorA, "GET", "/api/v1/devices/" + b.id())).isEqualTo(404);
        assertThat(ids(doctorA.get("/api/v1/devices").getJsonArray("items"), "id")).containsExactly(a.id());
        assertThat(status(doctorA, "GET", "/api/v1/doctors/" + a.doctorId())).isEqualTo(200);
        assertThat(status(doctorA, "GET", "/api/v1/doctors/" + b.doctorId())).isEqualTo(404);
        assertThat(doctorA.send("PUT", "/api/v1/patients/" + b.patientId() + "/care-plan", "{\"expected\": []}")
                .statusCode()).isEqualTo(404);
    }

    @Test
    void aVillageDoctorSeesAndActsOnHerOwnAlertsOnly() throws Exception {
        var alerts = doctorA.get("/api/v1/alerts").getJsonArray("items");
        assertThat(ids(alerts, "id")).contains(alertA).doesNotContain(alertB, alertC);
        assertThat(doctorA.get("/api/v1/alerts?doctorId=" + b.doctorId()).getJsonArray("items")).isEmpty();
        assertThat(status(doctorA, "GET", "/api/v1/alerts/" + alertB)).isEqualTo(404);
        assertThat(status(doctorA, "GET", "/api/v1/alerts/" + alertB + "/transitions")).isEqualTo(404);
        assertThat(status(doctorA, "POST", "/api/v1/alerts/" + alertB + "/ack")).isEqualTo(404);
        assertThat(doctorA.send("POST", "/api/v1/alerts/" + alertB + "/resolve", "{\"disposition\": \"false_alarm\"}")
                .statusCode()).isEqualTo(404);
        assertThat(admin.get("/api/v1/alerts/" + alertB).getString("status")).as("B's alert untouched").isEqualTo("open");

        HttpResponse<String> ack = doctorA.send("POST", "/api/v1/alerts/" + alertA + "/ack", null);
        assertThat(ack.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(ack.body()).getString("acknowledgedBy")).isEqualTo("doctor:" + a.doctorId());
    }

    @Test
    void aTownshipDoctorReachesTheVillageClinicsBelowHerAndNoOthers() throws Exception {
        assertThat(ids(township.get("/api/v1/patients").getJsonArray("items"), "id"))
                .containsExactlyInAnyOrder(a.patientId(), b.patientId());
        assertThat(status(township, "GET", "/api/v1/patients/" + b.patientId() + "/vitals")).isEqualTo(200);
        assertThat(status(township, "GET", "/api/v1/patients/" + c.patientId())).isEqualTo(404);
        assertThat(status(township, "GET", "/api/v1/patients/" + c.patientId() + "/vitals")).isEqualTo(404);
        assertThat(ids(township.get("/api/v1/alerts").getJsonArray("items"), "id"))
                .contains(alertA, alertB).doesNotContain(alertC);
        assertThat(status(township, "GET", "/api/v1/alerts/" + alertC)).isEqualTo(404);
        assertThat(status(township, "POST", "/api/v1/alerts/" + alertC + "/ack")).isEqualTo(404);
        assertThat(status(township, "POST", "/api/v1/alerts/" + alertB + "/ack")).isEqualTo(200);
    }

    @Test
    void theCountyDoctorReachesTheWholeTree() throws Exception {
        assertThat(ids(county.get("/api/v1/patients").getJsonArray("items"), "id"))
                .contains(a.patientId(), b.patientId(), c.patientId());
        assertThat(status(county, "GET", "/api/v1/alerts/" + alertC)).isEqualTo(200);
        assertThat(status(county, "GET", "/api/v1/patients/" + c.patientId() + "/vitals")).isEqualTo(200);
    }

    @Test
    void aDoctorFollowsHerOwnFeedOnly() throws Exception {
        assertThat(status(doctorA, "GET", "/api/v1/doctors/" + b.doctorId() + "/alerts/stream")).isEqualTo(403);
        assertThat(status(township, "GET", "/api/v1/doctors/" + a.doctorId() + "/alerts/stream")).isEqualTo(403);
        BlockingQueue<ApiClient.FeedEvent> feed = doctorA.subscribe(a.doctorId());
        assertThat(feed).isEmpty();
    }

    @Test
    void registeringAndChangingThingsIsForAdministrators() throws Exception {
        assertThat(doctorA.send("POST", "/api/v1/doctors", "{\"name\": \"X\", \"organisationId\": 1}")
                .statusCode()).isEqualTo(403);
        assertThat(doctorA.send("POST", "/api/v1/organisations", "{\"name\": \"X\", \"tier\": \"county\"}")
                .statusCode()).isEqualTo(403);
        assertThat(doctorA.send("POST", "/api/v1/patients", "{\"name\": \"X\", \"doctorId\": " + a.doctorId() + "}")
                .statusCode()).isEqualTo(403);
        assertThat(doctorA.send("POST", "/api/v1/patients/" + a.patientId() + "/contracts", "{\"teamId\": 1, \"doctorId\": 1}")
                .statusCode()).isEqualTo(403);
        assertThat(status(doctorA, "GET", "/api/v1/doctors")).isEqualTo(403);
        assertThat(status(doctorA, "GET", "/api/v1/audit")).isEqualTo(403);
        assertThat(status(doctorA, "POST", "/api/v1/devices/" + a.id() + "/revoke")).isEqualTo(403);
        assertThat(doctorA.send("POST", "/api/v1/devices/" + a.id() + "/binding", "{\"patientId\": " + a.patientId() + "}")
                .statusCode()).isEqualTo(403);
        assertThat(status(doctorA, "POST", "/api/v1/doctors/" + a.doctorId() + "/tokens")).isEqualTo(403);
        assertThat(admin.send("POST", "/api/v1/doctors/987654/tokens", null).statusCode()).isEqualTo(404);
        try (ApiClient forged = new ApiClient(server.httpPort(), "vd_not-a-real-token-at-all")) {
            assertThat(forged.send("GET", "/api/v1/patients", null).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void readsAndChangesOfPatientDataAreAudited() throws Exception {
        String reader = "doctor:" + townshipDoctor;
        township.get("/api/v1/patients/" + b.patientId());
        township.get("/api/v1/patients/" + b.patientId() + "/vitals");
        HttpResponse<String> plan = township.send("PUT", "/api/v1/patients/" + b.patientId() + "/care-plan",
                "{\"expected\": [{\"metric\": \"systolic_bp\", \"every\": \"PT12H\"}]}");
        assertThat(plan.statusCode()).as(plan.body()).isEqualTo(200);

        JsonArray events = admin.get("/api/v1/audit?patientId=" + b.patientId() + "&actor=" + reader).getJsonArray("items");
        assertThat(events.stream().map(e -> ((JsonObject) e).getString("action")))
                .containsSubsequence("patient.read", "vitals.read", "care_plan.changed");
        JsonObject change = events.stream().map(e -> (JsonObject) e)
                .filter(e -> e.getString("action").equals("care_plan.changed")).findFirst().orElseThrow();
        assertThat(change.getJsonObject("detail").getInteger("version")).isEqualTo(1);
        assertThat(Instant.parse(change.getString("at"))).isBefore(Instant.now().plusSeconds(1));
        assertThat(admin.get("/api/v1/audit?patientId=" + c.patientId() + "&actor=" + reader).getJsonArray("items"))
                .as("nothing of patient c was read by the township doctor").isEmpty();
    }
}
