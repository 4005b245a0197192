package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Text and times a client gets wrong are its error, never the server's: a NUL character in any text field of
 * any endpoint that takes text (body fields at any depth, query parameters) and a time outside the years
 * 1900–2199 answer 400 naming the field, and no answer carries database error text. Every case runs against
 * real entities, so the text would reach PostgreSQL if the API let it through.
 */
@Timeout(120)
class RequestTextIT {

    private static final String NUL = "a\u0000b";
    private static final String NUL_QUERY = "a%00b";
    private static final List<String> FAR_TIMES = List.of("+99999-01-01T00:00:00Z", "1899-12-31T23:59:59Z",
            "2200-01-01T00:00:00Z", "-5000-01-01T00:00:00Z");
    /** Epoch milliseconds of the years 1800 and 3000, and past anything PostgreSQL stores. */
    private static final List<Long> FAR_MILLIS = List.of(-5_364_662_400_000L, 32_503_680_000_000L, Long.MAX_VALUE);

    @RegisterExtension
    static final RunningServer server = RunningServer.builder().build();
    private static final ApiClient api = server.api();
    private static long village;
    private static long township;
    private static long team;
    private static Devices device;
    private static long alert;

    @BeforeAll
    static void start() throws Exception {
        village = api.defaultVillage();
        township = api.newOrganisation("Text township", "township",
                api.newOrganisation("Text county", "county", null));
        device = Devices.register(api, "TEXT");
        team = api.teamOf(device.doctorId());
        try (MqttClient client = device.connect(server.mqttUri())) {
            client.publish(device.topic(), Devices.message("{\"values\": {\"systolic_bp\": 195, \"diastolic_bp\": 118}}", 1));
            client.disconnect();
        }
        alert = awaitAlert(device.doctorId());
    }

    private static long awaitAlert(long doctorId) throws Exception {
        return api.awaitAlerts("doctorId=" + doctorId, Duration.ofSeconds(10)).getJsonObject(0).getLong("id");
    }

    /** One request with one bad field: {@code body} is JSON text, or {@code null} for a request without one. */
    private record Case(String method, String path, String body, String field) {
        @Override
        public String toString() {
            return method + " " + path + " " + (body == null ? "" : body) + " -> field " + field;
        }
    }

    /** A body made valid by {@code valid}, with {@code field} (a top-level name) then set to {@code bad}. */
    private static Case body(String method, String path, JsonObject valid, String field, Object bad) {
        return new Case(method, path, valid.copy().put(field, bad).encode(), field);
    }

    private static Case body(String method, String path, JsonObject json, String field) {
        return new Case(method, path, json.encode(), field);
    }

    private static Case query(String path, String parameter, String value) {
        return new Case("GET", path + (path.contains("?") ? "&" : "?") + parameter + "=" + value, null, parameter);
    }

    private static void check(List<Case> cases) throws Exception {
        SoftAssertions soft = new SoftAssertions();
        for (Case c : cases) {
            HttpResponse<String> response = api.send(c.method(), c.path(), c.body());
            soft.assertThat(response.statusCode()).as("%s: %s", c, response.body()).isEqualTo(400);
            soft.assertThat(response.body()).as("%s", c).doesNotContainIgnoringCase("postgres")
                    .doesNotContainIgnoringCase("psql").doesNotContain("ERROR:").doesNotContain("SQL");
            if (response.statusCode() == 400) {
                JsonObject error = new JsonObject(response.body());
                soft.assertThat(error.getString("error")).as("%s", c).isEqualTo("invalid_request");
                soft.assertThat(error.getString("field")).as("%s: %s", c, response.body()).isEqualTo(c.field());
            }
        }
        soft.assertAll();
    }

    @Test
    void aNulInAnyTextOfARequestBodyIsA400NamingTheField() throws Exception {
        long patient = device.patientId();
        long doctor = device.doctorId();
        String organisation = "/api/v1/organisations/" + village;
        JsonObject newPatient = new JsonObject().put("name", "P").put("teamId", team).put("doctorId", doctor)
                .put("conditions", new JsonArray().add("diabetes"));
        JsonObject newDevice = new JsonObject().put("serial", "TXT-1").put("type", "bp_monitor").put("patientId", patient)
                .put("model", "m").put("firmware", "f");
        JsonObject plan = new JsonObject().put("expected", new JsonArray().add(new JsonObject().put("metric", "body_weight")
                .put("every", "P1D")));
        List<Case> cases = new ArrayList<>();
        JsonObject newOrganisation = new JsonObject().put("name", "V").put("tier", "village").put("parentId", township);
        for (String field : List.of("name", "tier", "parentId")) {
            cases.add(body("POST", "/api/v1/organisations", newOrganisation, field, NUL));
        }
        cases.add(body("PATCH", organisation, new JsonObject(), "parentId", NUL));
        cases.add(body("POST", "/api/v1/doctors", new JsonObject().put("organisationId", village), "name", NUL));
        cases.add(body("POST", "/api/v1/teams", new JsonObject().put("organisationId", village), "name", NUL));
        cases.add(body("POST", "/api/v1/teams/" + team + "/members", new JsonObject(), "doctorId", NUL));
        for (String field : List.of("name", "teamId", "doctorId", "from")) {
            cases.add(body("POST", "/api/v1/patients", newPatient, field, NUL));
        }
        cases.add(body("POST", "/api/v1/patients", newPatient.copy().put("conditions", new JsonArray().add(NUL)),
                "conditions[0]"));
        cases.add(body("PATCH", "/api/v1/patients/" + patient, new JsonObject(), "name", NUL));
        cases.add(body("PATCH", "/api/v1/patients/" + patient, new JsonObject().put("conditions", new JsonArray()
                .add("diabetes").add(NUL)), "conditions[1]"));
        cases.add(body("POST", "/api/v1/patients/" + patient + "/contracts",
                new JsonObject().put("teamId", team).put("doctorId", doctor), "from", NUL));
        cases.add(body("POST", "/api/v1/patients/" + patient + "/contracts/end", new JsonObject(), "at", NUL));
        cases.add(body("PUT", "/api/v1/patients/" + patient + "/care-plan",
                plan.copy().put("note", NUL), "note"));
        JsonObject planWithNote = plan.copy();
        planWithNote.getJsonArray("expected").getJsonObject(0).put("note", NUL);
        cases.add(body("PUT", "/api/v1/patients/" + patient + "/care-plan", planWithNote, "expected[0].note"));
        cases.add(body("PUT", "/api/v1/patients/" + patient + "/care-plan", new JsonObject()
                .put("thresholds", new JsonObject().put(NUL, new JsonArray())), "thresholds.a\\u0000b"));
        for (String field : List.of("serial", "type", "model", "firmware", "patientId")) {
            cases.add(body("POST", "/api/v1/devices", newDevice, field, NUL));
        }
        for (String field : List.of("model", "firmware")) {
            cases.add(body("PATCH", "/api/v1/devices/" + device.id(), new JsonObject(), field, NUL));
        }
        cases.add(body("POST", "/api/v1/devices/" + device.id() + "/binding", new JsonObject().put("patientId", patient),
                "from", NUL));
        cases.add(body("POST", "/api/v1/devices/" + device.id() + "/binding/end", new JsonObject(), "at", NUL));
        JsonObject resolve = new JsonObject().put("disposition", "contacted_patient").put("note", "called her");
        for (String field : List.of("disposition", "note")) {
            cases.add(body("POST", "/api/v1/alerts/" + alert + "/resolve", resolve, field, NUL));
        }
        JsonObject snooze = new JsonObject().put("reason", "seen at home").put("until", Instant.now().plusSeconds(3600).toString());
        for (String field : List.of("reason", "until")) {
            cases.add(body("POST", "/api/v1/alerts/" + alert + "/snooze", snooze, field, NUL));
        }
        JsonObject webhook = new JsonObject().put("url", "https://his.example.org/vigil").put("secret", "s".repeat(32));
        cases.add(body("PUT", organisation + "/webhook", webhook, "url", "https://his.example.org/" + NUL));
        cases.add(body("PUT", organisation + "/webhook", webhook, "secret", "s".repeat(16) + NUL + "s".repeat(16)));
        cases.add(body("POST", "/api/v1/doctors", new JsonObject().put("name", "Dr").put("organisationId", village)
                .put("comment", NUL), "comment"));
        // A lone surrogate has no UTF-8 form: written as a JSON escape, since no client could encode it.
        cases.add(new Case("POST", "/api/v1/doctors", "{\"name\": \"Dr \\ud800\", \"organisationId\": " + village + "}",
                "name"));
        check(cases);
    }

    @Test
    void aNulInAnyQueryParameterIsA400NamingIt() throws Exception {
        long patient = device.patientId();
        List<Case> cases = new ArrayList<>();
        for (String parameter : List.of("actor", "targetType", "action", "patientId", "targetId", "after", "limit")) {
            cases.add(query("/api/v1/audit", parameter, NUL_QUERY));
        }
        for (String parameter : List.of("parentId", "tier")) {
            cases.add(query("/api/v1/organisations", parameter, NUL_QUERY));
        }
        cases.add(query("/api/v1/doctors", "organisationId", NUL_QUERY));
        cases.add(query("/api/v1/teams", "doctorId", NUL_QUERY));
        cases.add(query("/api/v1/patients", "teamId", NUL_QUERY));
        cases.add(query("/api/v1/devices", "patientId", NUL_QUERY));
        for (String parameter : List.of("status", "doctorId", "before", "limit")) {
            cases.add(query("/api/v1/alerts", parameter, NUL_QUERY));
        }
        for (String parameter : List.of("metric", "from", "to", "after", "limit")) {
            cases.add(query("/api/v1/patients/" + patient + "/vitals", parameter, NUL_QUERY));
        }
        cases.add(query("/api/v1/patients/" + patient + "/care-plan/history", "before", NUL_QUERY));
        check(cases);

        // Percent-encoding that does not decode; sent raw, since HTTP clients refuse to build such an address.
        String answer = rawGet("/api/v1/audit?limit=5&actor=%zz");
        assertThat(answer).startsWith("HTTP/1.1 400").contains("\"field\":\"actor\"").doesNotContain("SQL");
    }

    private static String rawGet(String target) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + server.adminToken() + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aTimeOutsideTheYears1900To2199IsA400NamingTheField() throws Exception {
        long patient = device.patientId();
        long doctor = device.doctorId();
        JsonObject newPatient = new JsonObject().put("name", "P").put("teamId", team).put("doctorId", doctor);
        List<Object> far = new ArrayList<>(FAR_TIMES);
        far.addAll(FAR_MILLIS);
        List<Case> cases = new ArrayList<>();
        for (Object time : far) {
            cases.add(body("POST", "/api/v1/patients", newPatient, "from", time));
            cases.add(body("POST", "/api/v1/patients/" + patient + "/contracts",
                    new JsonObject().put("teamId", team).put("doctorId", doctor), "from", time));
            cases.add(body("POST", "/api/v1/patients/" + patient + "/contracts/end", new JsonObject(), "at", time));
            cases.add(body("POST", "/api/v1/devices/" + device.id() + "/binding",
                    new JsonObject().put("patientId", patient), "from", time));
            cases.add(body("POST", "/api/v1/devices/" + device.id() + "/binding/end", new JsonObject(), "at", time));
            String text = time instanceof String s ? s.replace("+", "%2B") : time.toString();
            cases.add(query("/api/v1/patients/" + patient + "/vitals", "from", text));
            cases.add(query("/api/v1/patients/" + patient + "/vitals?from=2026-01-01T00:00:00Z", "to", text));
        }
        check(cases);

        // The bounds themselves are accepted.
        assertThat(api.create("/api/v1/patients", newPatient.copy().put("from", "1900-01-01T00:00:00Z")).getLong("id"))
                .isPositive();
        for (String to : List.of("2199-12-31T23:59:59.999Z", "7258118399999")) {
            HttpResponse<String> response = api.send("GET", "/api/v1/patients/" + patient + "/vitals?to=" + to, null);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }
    }
}
