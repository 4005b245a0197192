package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.common.testing.Poll;

/**
 * Keeps the OpenAPI description served at {@code /api/v1/openapi.yaml} true: its operations are exactly the
 * routes the running server mounts, each is well formed, and real requests across the registry, vitals, alerts
 * and the error paths get a status the description lists for them and a body that fits the schema it names.
 */
@Timeout(120)
class OpenApiIT {

    /** Where HttpApiVerticle mounts the API router. */
    private static final String API = "/api/v1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}]+)}");
    /** The operations that never reach the database, so never answer 503 for it. */
    private static final Set<String> WITHOUT_DATABASE = Set.of("GET " + API + "/openapi.yaml", "GET /metrics");

    @RegisterExtension
    static final RunningServer server = RunningServer.builder().build();
    private static final ApiClient admin = server.api();
    private static HttpClient anonymous;
    private static HttpResponse<String> served;
    private static ApiDescription description;

    @BeforeAll
    static void start() throws Exception {
        anonymous = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        served = anonymous.send(HttpRequest.newBuilder(URI.create(base() + API + "/openapi.yaml"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        description = ApiDescription.parse(served.body());
    }

    @AfterAll
    static void stop() {
        anonymous.shutdownNow();
    }

    private static String base() {
        return "http://127.0.0.1:" + server.httpPort();
    }

    /**
     * Verifies that a client offering the HTTP/2 clear-text upgrade, as the JDK's does by default, gets plain HTTP/1.1
     * answers, large ones included: operations tools and probes must not be fed a half-made protocol switch.
     */
    @Test
    void aClientOfferingTheHttp2UpgradeGetsHttp11Answers() throws Exception {
        HttpClient offering = HttpClient.newHttpClient();
        try {
            for (String path : List.of("/metrics", "/health", "/metrics")) {
                HttpResponse<String> r = offering.send(HttpRequest.newBuilder(URI.create(base() + path))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(path).isEqualTo(200);
                assertThat(r.version()).as(path).isEqualTo(HttpClient.Version.HTTP_1_1);
            }
        } finally {
            offering.shutdownNow();
        }
    }

    @Test
    void theDescriptionIsServedAsYamlWithoutAToken() {
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.headers().firstValue("Content-Type")).hasValue("application/yaml");
        assertThat(description.root().path("openapi").asText()).startsWith("3.0.");
    }

    /** Verifies that every mounted route is described, and every described operation is mounted. */
    @Test
    void theDescribedOperationsAreExactlyTheMountedRoutes() {
        Set<String> mounted = new TreeSet<>();
        server.server().rootRoutes().forEach(route -> addRoute(mounted, "", route));
        server.server().apiRoutes().forEach(route -> addRoute(mounted, API, route));
        Set<String> described = new TreeSet<>();
        description.operations().forEach(op -> described.add(op.key()));

        Set<String> undescribed = new TreeSet<>(mounted);
        undescribed.removeAll(described);
        Set<String> notMounted = new TreeSet<>(described);
        notMounted.removeAll(mounted);
        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(undescribed).as("routes the server mounts that openapi.yaml does not describe").isEmpty();
            soft.assertThat(notMounted).as("operations openapi.yaml describes that the server does not mount").isEmpty();
        });
    }

    /** Routes without a method or path (body handler, authentication, the API mount, fallbacks) serve no operation. */
    private static void addRoute(Set<String> routes, String prefix, Route route) {
        if (route.getPath() == null || route.methods() == null) {
            return;
        }
        for (HttpMethod method : route.methods()) {
            routes.add(method.name() + " " + prefix + route.getPath().replaceAll(":(\\w+)", "{$1}"));
        }
    }

    @Test
    void everyOperationIsWellFormed() {
        assertThat(description.root().path("info").path("version").asText()).as("info.version").isNotBlank();
        assertThat(description.unresolvedRefs()).as("references that point nowhere").isEmpty();
        Set<String> ids = new HashSet<>();
        for (ApiDescription.Operation op : description.operations()) {
            String operationId = op.node().path("operationId").asText();
            assertThat(operationId).as("operationId of %s", op.key()).isNotBlank();
            assertThat(ids.add(operationId)).as("operationId %s is unique", operationId).isTrue();
            List<String> statuses = new ArrayList<>();
            op.node().path("responses").fieldNames().forEachRemaining(statuses::add);
            assertThat(statuses).as("responses of %s", op.key()).anyMatch(s -> s.startsWith("2"));
            JsonNode pathItem = description.root().path("paths").path(op.path());
            Matcher parameters = PATH_PARAMETER.matcher(op.path());
            while (parameters.find()) {
                String name = parameters.group(1);
                assertThat(declaresPathParameter(pathItem, name) || declaresPathParameter(op.node(), name))
                        .as("%s declares the path parameter %s", op.key(), name).isTrue();
            }
        }
    }

    /**
     * Verifies that every operation that reaches the database describes the 503 it answers while the database is
     * unavailable, with {@code Retry-After}; DatabaseOutageIT and EmbeddedSupervisionIT check a real one against it.
     */
    @Test
    void everyOperationOnTheDatabaseDescribesItsUnavailableAnswer() {
        SoftAssertions.assertSoftly(soft -> {
            for (ApiDescription.Operation op : description.operations()) {
                if (WITHOUT_DATABASE.contains(op.key())) {
                    continue;
                }
                JsonNode unavailable = description.response(op, 503).orElse(null);
                soft.assertThat(unavailable).as("503 of %s", op.key()).isNotNull();
                if (unavailable != null && !op.key().equals("GET /health")) {
                    soft.assertThat(unavailable.path("headers").has("Retry-After"))
                            .as("Retry-After in the 503 of %s", op.key()).isTrue();
                }
            }
        });
    }

    private static boolean declaresPathParameter(JsonNode node, String name) {
        for (JsonNode parameter : node.path("parameters")) {
            JsonNode p = description.resolve(parameter);
            if ("path".equals(p.path("in").asText()) && name.equals(p.path("name").asText())
                    && p.path("required").asBoolean()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void registryResponsesFitTheDescription() throws Exception {
        JsonNode county = exchange(admin, 201, "POST", "/organisations", "{\"name\": \"OAS county\", \"tier\": \"county\"}");
        long township = exchange(admin, 201, "POST", "/organisations", new JsonObject().put("name", "OAS township")
                .put("tier", "township").put("parentId", county.get("id").asLong())).get("id").asLong();
        long village = exchange(admin, 201, "POST", "/organisations", new JsonObject().put("name", "OAS village")
                .put("tier", "village").put("parentId", township)).get("id").asLong();
        exchange(admin, 200, "GET", "/organisations/" + village, null);
        assertThat(exchange(admin, 200, "GET", "/organisations?tier=county&limit=1", null).has("next"))
                .as("a full page names the next cursor").isTrue();

        long doctor = exchange(admin, 201, "POST", "/doctors", new JsonObject().put("name", "Dr OAS")
                .put("organisationId", village)).get("id").asLong();
        long colleague = exchange(admin, 201, "POST", "/doctors", new JsonObject().put("name", "Dr OAS colleague")
                .put("organisationId", village)).get("id").asLong();
        exchange(admin, 200, "GET", "/doctors?organisationId=" + village, null);
        exchange(admin, 200, "GET", "/doctors/" + doctor, null);
        long token = exchange(admin, 201, "POST", "/doctors/" + doctor + "/tokens", "{\"lifetime\": \"P7D\"}")
                .get("id").asLong();
        exchange(admin, 201, "POST", "/doctors/" + doctor + "/tokens", null);
        exchange(admin, 200, "GET", "/doctors/" + doctor + "/tokens?limit=1", null);
        assertThat(exchange(admin, 200, "POST", "/doctors/" + doctor + "/tokens/" + token + "/revoke", null)
                .get("status").asText()).isEqualTo("revoked");
        assertThat(exchange(admin, 200, "POST", "/doctors/" + colleague + "/deactivate", null).get("active").asBoolean())
                .isFalse();
        exchange(admin, 409, "POST", "/doctors/" + colleague + "/tokens", null);
        assertThat(exchange(admin, 200, "POST", "/doctors/" + colleague + "/reactivate", null).get("active").asBoolean())
                .isTrue();

        long team = exchange(admin, 201, "POST", "/teams", new JsonObject().put("name", "OAS team")
                .put("organisationId", village).put("doctorIds", new JsonArray().add(doctor))).get("id").asLong();
        exchange(admin, 200, "GET", "/teams?doctorId=" + doctor, null);
        exchange(admin, 200, "GET", "/teams/" + team, null);
        exchange(admin, 200, "POST", "/teams/" + team + "/members", new JsonObject().put("doctorId", colleague));
        exchange(admin, 200, "DELETE", "/teams/" + team + "/members/" + colleague, null);

        long patient = exchange(admin, 201, "POST", "/patients", new JsonObject().put("name", "OAS patient")
                .put("teamId", team).put("doctorId", doctor).put("grade", 2)
                .put("conditions", new JsonArray().add("hypertension").add("copd"))).get("id").asLong();
        long other = exchange(admin, 201, "POST", "/patients", new JsonObject().put("name", "OAS other patient")
                .put("teamId", team).put("doctorId", doctor)).get("id").asLong();
        assertThat(exchange(admin, 200, "GET", "/patients/" + patient, null).has("contract")).isTrue();
        exchange(admin, 200, "GET", "/patients?teamId=" + team, null);
        exchange(admin, 200, "PATCH", "/patients/" + patient, "{\"grade\": 3}");
        exchange(admin, 200, "GET", "/patients/" + patient + "/contracts", null);
        exchange(admin, 200, "POST", "/patients/" + other + "/contracts/end", "{}");
        assertThat(exchange(admin, 200, "GET", "/patients/" + other, null).has("contract"))
                .as("no current contract").isFalse();

        String plan = "/patients/" + patient + "/care-plan";
        assertThat(exchange(admin, 200, "GET", plan, null).get("version").asInt()).isZero();
        exchange(admin, 200, "PUT", plan, new JsonObject().put("version", 0)
                .put("expected", new JsonArray().add(new JsonObject().put("metric", "systolic_bp").put("every", "PT12H")))
                .put("thresholds", new JsonObject().put("blood_pressure_high", new JsonArray().add(new JsonObject()
                        .put("severity", "critical").put("anyOf", new JsonArray().add(new JsonObject()
                                .put("metric", "systolic_bp").put("op", ">=").put("value", 170)))))));
        exchange(admin, 200, "GET", plan + "/history?limit=1", null);

        JsonNode device = exchange(admin, 201, "POST", "/devices", new JsonObject().put("serial", "OAS-" + System.nanoTime())
                .put("type", "pulse_oximeter").put("model", "PO-1").put("patientId", patient));
        long deviceId = device.get("id").asLong();
        exchange(admin, 200, "GET", "/devices/" + deviceId, null);
        exchange(admin, 200, "GET", "/devices?patientId=" + patient, null);
        exchange(admin, 200, "PATCH", "/devices/" + deviceId, "{\"firmware\": \"2.1.0\"}");
        exchange(admin, 200, "POST", "/devices/" + deviceId + "/binding", new JsonObject().put("patientId", other));
        exchange(admin, 200, "POST", "/devices/" + deviceId + "/binding/end", "{}");
        exchange(admin, 200, "GET", "/devices/" + deviceId + "/bindings", null);
        exchange(admin, 200, "POST", "/devices/" + deviceId + "/secret", null);
        exchange(admin, 200, "POST", "/devices/" + deviceId + "/revoke", null);

        exchange(admin, 200, "GET", "/audit?patientId=" + patient, null);
        exchange(admin, 200, "GET", "/health", null);
    }

    @Test
    void alertAndVitalsResponsesFitTheDescription() throws Exception {
        Devices d = Devices.register(admin, "OAS-ALERT");
        long ts = Instant.now().toEpochMilli() - 1000;
        try (MqttClient client = d.connect(server.mqttUri())) {
            client.publish(d.topic(), Devices.message("{\"ts\": " + ts + ", \"values\": {\"systolic_bp\": 190,"
                    + " \"diastolic_bp\": 115, \"heart_rate\": 80}}", 1));
            client.disconnect();
        }
        assertThat(exchange(admin, 200, "GET", "/patients/" + d.patientId() + "/vitals?limit=1", null).has("next"))
                .as("a full page names the next cursor").isTrue();
        exchange(admin, 200, "GET", "/patients/" + d.patientId() + "/vitals?metric=systolic_bp&from=" + (ts - 1), null);

        String openAlerts = "/alerts?patientId=" + d.patientId() + "&status=open";
        JsonNode alerts = Poll.latest(Duration.ofSeconds(10), () -> exchange(admin, 200, "GET", openAlerts, null).get("items"),
                items -> !items.isEmpty());
        assertThat(alerts.isEmpty()).as("an alert opened within 10 s").isFalse();
        long alert = alerts.get(0).get("id").asLong();

        exchange(admin, 200, "GET", "/alerts/" + alert, null);
        exchange(admin, 200, "POST", "/alerts/" + alert + "/ack", null);
        exchange(admin, 200, "POST", "/alerts/" + alert + "/resolve", "{\"disposition\": \"contacted_patient\", \"note\": \"called\"}");
        JsonNode transitions = exchange(admin, 200, "GET", "/alerts/" + alert + "/transitions", null).get("items");
        assertThat(transitions).hasSize(3);
        assertThat(transitions.get(0).get("from").isNull()).as("an opened alert has no status before").isTrue();
        assertThat(exchange(admin, 409, "POST", "/alerts/" + alert + "/resolve", "{\"disposition\": \"referred\"}")
                .get("field").asText()).isEqualTo("status");
        assertThat(exchange(admin, 409, "POST", "/alerts/" + alert + "/ack", null).get("field").asText()).isEqualTo("status");
    }

    @Test
    void chronicCareResponsesFitTheDescription() throws Exception {
        Devices d = Devices.register(admin, "OAS-CHRONIC");
        String patient = "/patients/" + d.patientId();
        exchange(admin, 200, "PATCH", patient, "{\"conditions\": [\"hypertension\", \"diabetes\"]}");
        exchange(admin, 200, "GET", patient + "/control", null);
        exchange(admin, 201, "POST", patient + "/follow-ups", new JsonObject().put("doctorId", d.doctorId())
                .put("type", "home_visit").put("classification", "controlled").put("note", "稳定")
                .put("measurements", new JsonObject().put("systolic_bp", 132).put("diastolic_bp", 82)
                        .put("fasting_glucose", 6.1)).put("actions", new JsonArray().add("education")));
        exchange(admin, 200, "GET", patient + "/follow-ups?limit=5", null);
        exchange(admin, 200, "GET", patient + "/summary", null);
        int suggested = exchange(admin, 200, "GET", patient + "/grade", null).get("suggested").get("grade").asInt();
        exchange(admin, 201, "POST", patient + "/grade", new JsonObject().put("grade", suggested));
        exchange(admin, 200, "GET", patient + "/grade", null);
        exchange(admin, 200, "GET", "/doctors/" + d.doctorId() + "/follow-ups/overdue", null);
        String period = "doctorId=" + d.doctorId() + "&from=2026-01-01&to=2026-12-31";
        exchange(admin, 200, "GET", "/indicators?" + period, null);
        HttpResponse<String> csv = admin.send("GET", API + "/indicators?" + period + "&format=csv", null);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
        assertThat(csv.body()).startsWith("\uFEFFindicator,title,");
        exchange(admin, 200, "GET", "/indicators/patients?" + period + "&indicator=managed_diabetes&part=denominator", null);
        assertThat(exchange(admin, 400, "GET", "/indicators?" + period + "&teamId=1", null).get("field").asText())
                .isEqualTo("doctorId");
        assertThat(exchange(admin, 400, "POST", patient + "/follow-ups", "{\"type\": \"phone\", \"classification\": \"fine\","
                + " \"doctorId\": " + d.doctorId() + "}").get("field").asText()).isEqualTo("classification");
        assertThat(exchange(admin, 400, "POST", patient + "/grade", "{\"grade\": 4}").get("field").asText())
                .isEqualTo("grade");
        exchange(admin, 404, "GET", "/patients/999999999/control", null);
    }

    @Test
    void errorResponsesFitTheDescription() throws Exception {
        assertThat(exchange(admin, 400, "POST", "/organisations", "{\"name\": \"Nowhere\", \"tier\": \"city\"}")
                .get("field").asText()).isEqualTo("tier");
        assertThat(exchange(admin, 400, "POST", "/patients", "{\"name\": \"No team\", \"doctorId\": 1}")
                .get("field").asText()).isEqualTo("teamId");
        assertThat(exchange(admin, 400, "GET", "/alerts?status=closed", null).get("field").asText()).isEqualTo("status");
        assertThat(exchange(admin, 400, "GET", "/organisations?limit=0", null).get("field").asText()).isEqualTo("limit");

        Devices d = Devices.register(admin, "OAS-ERR");
        assertThat(exchange(admin, 400, "GET", "/patients/" + d.patientId() + "/vitals?metric=pulse", null)
                .get("field").asText()).isEqualTo("metric");
        assertThat(exchange(admin, 409, "POST", "/devices", new JsonObject().put("serial", d.serial())
                .put("type", "bp_monitor").put("patientId", d.patientId())).get("field").asText()).isEqualTo("serial");
        assertThat(exchange(admin, 409, "PUT", "/patients/" + d.patientId() + "/care-plan", "{\"version\": 7}")
                .get("field").asText()).isEqualTo("version");

        exchange(admin, 404, "GET", "/patients/999999999", null);
        exchange(admin, 404, "GET", "/devices/not-a-number", null);
        exchange(admin, 404, "GET", "/alerts/999999999/transitions", null);
        exchange(admin, 404, "GET", "/doctors/999999999/alerts/stream", null);
        exchange(admin, 404, "POST", "/doctors/999999999/deactivate", null);
        exchange(admin, 404, "GET", "/doctors/999999999/tokens", null);
        exchange(admin, 404, "POST", "/doctors/" + d.doctorId() + "/tokens/999999999/revoke", null);
        assertThat(exchange(admin, 400, "POST", "/doctors/" + d.doctorId() + "/tokens", "{\"lifetime\": \"P1000D\"}")
                .get("field").asText()).isEqualTo("lifetime");
        assertThat(exchange(admin, 404, "POST", "/doctors", new JsonObject().put("name", "Dr Nowhere")
                .put("organisationId", 999999999)).get("field").asText()).isEqualTo("organisationId");

        String token = new JsonObject(admin.send("POST", API + "/doctors/" + d.doctorId() + "/tokens", null).body())
                .getString("token");
        try (ApiClient doctor = new ApiClient(server.httpPort(), token);
             ApiClient stranger = new ApiClient(server.httpPort(), "vd_not-a-token")) {
            exchange(doctor, 403, "GET", "/doctors", null);
            exchange(doctor, 403, "POST", "/devices/" + d.id() + "/revoke", null);
            exchange(doctor, 404, "GET", "/doctors/" + (d.doctorId() + 1), null);
            exchange(doctor, 403, "GET", "/doctors/" + (d.doctorId() + 1) + "/alerts/stream", null);
            exchange(doctor, 200, "GET", "/patients/" + d.patientId(), null);
            exchange(stranger, 401, "GET", "/patients", null);
        }
        HttpResponse<String> noToken = anonymous.send(HttpRequest.newBuilder(URI.create(base() + API + "/alerts"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode()).isEqualTo(401);
        checkAgainstDescription("GET", API + "/alerts", noToken);

        exchange(admin, 413, "POST", "/organisations", "{\"name\": \"" + "x".repeat(1100 * 1024) + "\"}");
    }

    /**
     * Sends a request under {@code /api/v1} (or, for {@code /health}, outside it), expects {@code status}, checks
     * the response against the operation the description has for it, and returns the JSON body.
     */
    private static JsonNode exchange(ApiClient client, int status, String method, String path, Object body)
            throws Exception {
        String fullPath = path.equals("/health") ? path : API + path;
        HttpResponse<String> response = client.send(method, fullPath, body == null ? null : body.toString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(status);
        return checkAgainstDescription(method, fullPath, response);
    }

    private static JsonNode checkAgainstDescription(String method, String fullPath, HttpResponse<String> response)
            throws Exception {
        String where = method + " " + fullPath + " → " + response.statusCode();
        ApiDescription.Operation op = description.operation(method, fullPath.replaceFirst("\\?.*", ""))
                .orElseThrow(() -> new AssertionError(where + ": no operation in the description"));
        JsonNode declared = description.response(op, response.statusCode())
                .orElseThrow(() -> new AssertionError(where + ": status not listed for " + op.node().path("operationId")
                        .asText() + "; body " + response.body()));
        JsonNode schema = declared.path("content").path("application/json").path("schema");
        if (schema.isMissingNode()) {
            return JSON.nullNode();
        }
        assertThat(response.headers().firstValue("Content-Type")).as(where).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode json = JSON.readTree(response.body());
        assertThat(description.violations(schema, json)).as(where + ": " + response.body()).isEmpty();
        return json;
    }
}
