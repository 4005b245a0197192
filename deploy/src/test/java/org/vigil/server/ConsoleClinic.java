package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.eclipse.paho.client.mqttv3.MqttClient;

/**
 * A village clinic as the console's tests need it, registered over the REST API with Chinese names (so a page in
 * English can be checked for left-over Chinese): a doctor with a console account and password, her hypertensive
 * patient, and the patient's blood-pressure cuff.
 */
final class ConsoleClinic {

    static final String PASSWORD = "correct horse battery";
    private static int counter;

    final long doctorId;
    final long organisationId;
    final long teamId;
    final long patientId;
    final String patientName;
    final String login;
    final Devices device;

    private ConsoleClinic(long doctorId, long organisationId, long teamId, long patientId, String patientName,
            String login, Devices device) {
        this.doctorId = doctorId;
        this.organisationId = organisationId;
        this.teamId = teamId;
        this.patientId = patientId;
        this.patientName = patientName;
        this.login = login;
        this.device = device;
    }

    /** A new village clinic under a new township and county, with one doctor, her patient and a cuff. */
    static ConsoleClinic create(ApiClient admin) throws Exception {
        return create(admin, false);
    }

    /**
     * As {@link #create(ApiClient)}; with {@code latin} the doctor and patient have names in Latin letters, so a page
     * in English can be checked to hold no Chinese at all.
     */
    static synchronized ConsoleClinic create(ApiClient admin, boolean latin) throws Exception {
        int n = ++counter;
        String doctorName = (latin ? "Dr Wang " : "王医生") + n;
        long county = admin.newOrganisation("青山县医院" + n, "county", null);
        long township = admin.newOrganisation("柳庄镇卫生院" + n, "township", county);
        long village = admin.newOrganisation("柳庄村卫生室" + n, "village", township);
        long doctor = admin.create("/api/v1/doctors", new JsonObject().put("name", doctorName)
                .put("organisationId", village)).getLong("id");
        long team = admin.create("/api/v1/teams", new JsonObject().put("name", "柳庄一队" + n)
                .put("organisationId", village).put("doctorIds", new JsonArray().add(doctor))).getLong("id");
        String patientName = (latin ? "Li Hua " : "李华") + n;
        long patient = admin.create("/api/v1/patients", new JsonObject().put("name", patientName).put("teamId", team)
                .put("doctorId", doctor).put("conditions", new JsonArray().add("hypertension")).put("grade", 2))
                .getLong("id");
        String serial = "BP-CONSOLE-" + n + "-" + System.nanoTime() % 100_000;
        JsonObject created = admin.newDevice(serial, patient);
        Devices device = new Devices(created.getLong("id"), serial, created.getString("secret"), patient, doctor);
        String login = "wang" + n + "-" + System.nanoTime() % 10_000;
        JsonObject account = admin.create("/api/v1/accounts", new JsonObject().put("login", login)
                .put("name", doctorName).put("doctorId", doctor));
        String link = account.getString("setPasswordPath");
        String token = link.substring(link.lastIndexOf('/') + 1);
        HttpResponse<String> set = admin.send("POST", "/api/v1/session/password",
                new JsonObject().put("token", token).put("password", PASSWORD).encode());
        assertThat(set.statusCode()).as(set.body()).isEqualTo(204);
        return new ConsoleClinic(doctor, village, team, patient, patientName, login, device);
    }

    /** Publishes one blood-pressure reading over MQTT at QoS 1 and waits for its PUBACK (stored). */
    void bloodPressure(int mqttPort, long ts, int systolic, int diastolic) throws Exception {
        try (MqttClient client = device.connect("tcp://127.0.0.1:" + mqttPort)) {
            client.publish(device.topic(), Devices.message("{\"ts\": " + ts + ", \"values\": {\"systolic_bp\": "
                    + systolic + ", \"diastolic_bp\": " + diastolic + ", \"heart_rate\": 88}}", 1));
            client.disconnect();
        }
    }
}
