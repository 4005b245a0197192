package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Doctors authenticate with their own tokens and reach only their own patients: their records, vitals,
 * alerts, acknowledgements and live feed. Another doctor's patient or alert is not found (its existence does
 * not leak); listing or following another doctor's is forbidden; registering and changing things is for
 * administrators.
 */
@Timeout(120)
class DoctorAccessIT {

    private static VigilServer server;
    private static ApiClient admin;
    private static Devices a;
    private static Devices b;
    private static ApiClient doctorA;
    private static long alertA;
    private static long alertB;

    @BeforeAll
    static void start() throws Exception {
        server = TestServers.start(TestServers.externalDatabase());
        admin = new ApiClient(server.httpPort(), server.adminToken());
        a = Devices.register(admin, "ACC-A");
        b = Devices.register(admin, "ACC-B");
        long ts = Instant.now().toEpochMilli() - 1000;
        for (Devices d : new Devices[] {a, b}) {
            try (MqttClient client = d.connect("tcp://127.0.0.1:" + server.mqttPort())) {
                client.publish(d.topic(), Devices.message("{\"ts\": " + ts + ", \"values\": {\"systolic_bp\": 190,"
                        + " \"diastolic_bp\": 115}}", 1));
                client.disconnect();
            }
        }
        alertA = awaitAlert(a.doctorId());
        alertB = awaitAlert(b.doctorId());
        HttpResponse<String> issued = admin.send("POST", "/api/v1/doctors/" + a.doctorId() + "/tokens", null);
        assertThat(issued.statusCode()).isEqualTo(201);
        String token = new JsonObject(issued.body()).getString("token");
        assertThat(token).startsWith("vd_");
        doctorA = new ApiClient(server.httpPort(), token);
    }

    private static long awaitAlert(long doctorId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            var items = admin.get("/api/v1/alerts?doctorId=" + doctorId).getJsonArray("items");
            if (!items.isEmpty()) {
                return items.getJsonObject(0).getLong("id");
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no alert for doctor " + doctorId);
    }

    @AfterAll
    static void stop() {
        doctorA.close();
        admin.close();
        server.close();
    }

    private static int status(String method, String path) throws Exception {
        return doctorA.send(method, path, null).statusCode();
    }

    @Test
    void aDoctorReadsHerOwnPatientsAndVitalsButNotAnotherDoctors() throws Exception {
        var patients = doctorA.get("/api/v1/patients").getJsonArray("items");
        assertThat(patients).isNotEmpty();
        assertThat(patients.stream().map(p -> ((JsonObject) p).getLong("doctorId"))).containsOnly(a.doctorId());
        assertThat(status("GET", "/api/v1/patients?doctorId=" + b.doctorId())).isEqualTo(403);
        assertThat(status("GET", "/api/v1/patients/" + a.patientId())).isEqualTo(200);
        assertThat(status("GET", "/api/v1/patients/" + b.patientId())).isEqualTo(404);
        assertThat(doctorA.get("/api/v1/patients/" + a.patientId() + "/vitals").getJsonArray("items")).hasSize(2);
        assertThat(status("GET", "/api/v1/patients/" + b.patientId() + "/vitals")).isEqualTo(404);
        assertThat(status("GET", "/api/v1/doctors/" + a.doctorId())).isEqualTo(200);
        assertThat(status("GET", "/api/v1/doctors/" + b.doctorId())).isEqualTo(404);
    }

    @Test
    void aDoctorSeesAndActsOnHerOwnAlertsOnly() throws Exception {
        var alerts = doctorA.get("/api/v1/alerts").getJsonArray("items");
        assertThat(alerts.stream().map(x -> ((JsonObject) x).getLong("doctorId"))).containsOnly(a.doctorId());
        assertThat(status("GET", "/api/v1/alerts?doctorId=" + b.doctorId())).isEqualTo(403);
        assertThat(status("GET", "/api/v1/alerts/" + alertB)).isEqualTo(404);
        assertThat(status("GET", "/api/v1/alerts/" + alertB + "/transitions")).isEqualTo(404);
        assertThat(status("POST", "/api/v1/alerts/" + alertB + "/ack")).isEqualTo(404);
        assertThat(doctorA.send("POST", "/api/v1/alerts/" + alertB + "/resolve", "{\"disposition\": \"false_alarm\"}")
                .statusCode()).isEqualTo(404);
        assertThat(admin.get("/api/v1/alerts/" + alertB).getString("status")).as("B's alert untouched").isEqualTo("open");

        HttpResponse<String> ack = doctorA.send("POST", "/api/v1/alerts/" + alertA + "/ack", null);
        assertThat(ack.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(ack.body()).getString("acknowledgedBy")).isEqualTo("doctor:" + a.doctorId());
    }

    @Test
    void aDoctorFollowsHerOwnFeedOnly() throws Exception {
        assertThat(status("GET", "/api/v1/doctors/" + b.doctorId() + "/alerts/stream")).isEqualTo(403);
        BlockingQueue<ApiClient.FeedEvent> feed = doctorA.subscribe(a.doctorId());
        assertThat(feed).isEmpty();
    }

    @Test
    void registeringAndChangingThingsIsForAdministrators() throws Exception {
        assertThat(doctorA.send("POST", "/api/v1/doctors", "{\"name\": \"X\", \"institution\": \"Y\", \"tier\": \"village\"}")
                .statusCode()).isEqualTo(403);
        assertThat(doctorA.send("POST", "/api/v1/patients", "{\"name\": \"X\", \"doctorId\": " + a.doctorId() + "}")
                .statusCode()).isEqualTo(403);
        assertThat(status("GET", "/api/v1/doctors")).isEqualTo(403);
        assertThat(status("GET", "/api/v1/devices")).isEqualTo(403);
        assertThat(status("POST", "/api/v1/devices/" + a.id() + "/revoke")).isEqualTo(403);
        assertThat(status("POST", "/api/v1/doctors/" + a.doctorId() + "/tokens")).isEqualTo(403);
        assertThat(admin.send("POST", "/api/v1/doctors/987654/tokens", null).statusCode()).isEqualTo(404);
        try (ApiClient forged = new ApiClient(server.httpPort(), "vd_not-a-real-token-at-all")) {
            assertThat(forged.send("GET", "/api/v1/patients", null).statusCode()).isEqualTo(401);
        }
    }
}
