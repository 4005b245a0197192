package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.common.testing.Poll;

/**
 * The shipped monitoring against a live server: a real Vigil on loopback, in cluster mode (a node on the test Kafka
 * broker, so it exports the cluster's meters as well as everything a single node does), used a little (a device,
 * readings, an alert acknowledged, a rejected value, a 404), and a real Prometheus (Debian's package) scraping it
 * with the shipped scrape configuration and alert rules. promtool checks and unit-tests the rules; every PromQL
 * expression of every dashboard panel and alert rule must parse in that Prometheus and name only metrics the server
 * exports; each dashboard panel, the cluster dashboard's included, must show a number (not only NaN); Prometheus
 * must evaluate every rule without error.
 */
@Timeout(300)
class MonitoringIT {

    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final Path RULES = DeployFiles.path("prometheus/rules/vigil-alerts.yml");
    private static final Path RULE_TESTS = DeployFiles.path("prometheus/tests/vigil-alerts-test.yml");
    /** Series Prometheus makes itself for every target, not the server. */
    private static final Set<String> SYNTHETIC = Set.of("up");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    /** In cluster mode, so the cluster dashboard is checked too; a single node's panels all show data this way. */
    @RegisterExtension
    static final RunningServer server = RunningServer.builder().inKafkaCluster().build();
    private static final ApiClient api = server.api();
    private static MqttClient device;
    private static Process prometheus;
    private static int prometheusPort;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startServerAndPrometheus() throws Exception {
        assumeThat(Files.isExecutable(PROMETHEUS) && Files.isExecutable(PROMTOOL))
                .as("Debian's prometheus package is installed (.ci/run installs it)").isTrue();
        // A request's series appears with its first route and status; a rate shows from the second on.
        assertThat(api.send("GET", "/api/v1/patients/987654321", null).statusCode()).isEqualTo(404);
        prometheus = startPrometheus();
        // Counters must be seen before and after they move for a rate to show it: scrape first, then act.
        Poll.until("Prometheus scrapes the server", Duration.ofSeconds(30),
                () -> query("vigil_database_up").path("data").path("result").size() == 1);
        useTheServer();
        Poll.until("Prometheus has scraped the organisation gauges a few times", Duration.ofSeconds(30),
                () -> query("count_over_time(vigil_organisation_devices_last_seen_seconds[1m])").path("data")
                        .path("result").path(0).path("value").path(1).asDouble(0) >= 3);
        // Kafka's per-partition lag shows once a partition is fetched and the binder has looked again (every 10 s).
        Poll.until("Prometheus has the consumer lag of both relays", Duration.ofSeconds(40),
                () -> query("count by (relay) (kafka_consumer_fetch_manager_records_lag)").path("data")
                        .path("result").size() == 2);
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            prometheus.waitFor(10, TimeUnit.SECONDS);
        }
        if (device != null && device.isConnected()) {
            device.disconnect();
        }
    }

    /** What an operator's dashboards should see: a connected device, readings, an alert acknowledged, refusals. */
    private static void useTheServer() throws Exception {
        Devices d = Devices.register(api, "MON");
        device = d.connect(server.mqttUri());
        long now = Instant.now().toEpochMilli();
        device.publish(d.topic(), Devices.message(
                "{\"ts\": " + now + ", \"values\": {\"systolic_bp\": 192, \"diastolic_bp\": 118, \"heart_rate\": 500}}", 1));
        JsonObject alert = Poll.latest(Duration.ofSeconds(20), () -> {
            var items = api.get("/api/v1/alerts?patientId=" + d.patientId()).getJsonArray("items");
            return items.isEmpty() ? null : items.getJsonObject(0);
        }, Objects::nonNull);
        assertThat(alert).as("the crisis reading opened an alert").isNotNull();
        assertThat(api.send("POST", "/api/v1/alerts/" + alert.getLong("id") + "/ack", null).statusCode()).isEqualTo(200);
        assertThat(api.send("GET", "/api/v1/patients/987654321", null).statusCode()).isEqualTo(404);
        Poll.until("the organisation's devices have been counted after the device was seen", Duration.ofSeconds(40),
                () -> metricsText().contains("vigil_organisation_devices_last_seen_seconds{"));
    }

    private static Process startPrometheus() throws Exception {
        prometheusPort = ServerProcess.freePort();
        // The shipped scrape configuration, pointed at this server and this checkout's rule files, scraping fast.
        ObjectMapper yaml = new YAMLMapper();
        ObjectNode config = (ObjectNode) DeployFiles.yaml(DeployFiles.path("prometheus/prometheus.yml"));
        ObjectNode global = (ObjectNode) config.get("global");
        global.put("scrape_interval", "1s").put("evaluation_interval", "1s");
        config.remove("alerting");
        config.putArray("rule_files").add(RULES.toString());
        ObjectNode job = (ObjectNode) config.get("scrape_configs").get(0);
        ((ObjectNode) job.get("static_configs").get(0)).putArray("targets").add("127.0.0.1:" + server.httpPort());
        Path file = temp.resolve("prometheus.yml");
        yaml.writeValue(file.toFile(), config);
        Process process = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + file,
                "--storage.tsdb.path=" + temp.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(temp.resolve("prometheus.log").toFile()).start();
        Poll.until("Prometheus is ready", Duration.ofSeconds(30), () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("Prometheus exited; see " + temp.resolve("prometheus.log"));
            }
            try {
                return get("/-/ready").statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
        return process;
    }

    @Test
    void promtoolAcceptsTheRulesTheirUnitTestsAndTheScrapeConfiguration() throws Exception {
        assertThat(run(PROMTOOL.toString(), "check", "rules", RULES.toString())).contains("SUCCESS");
        assertThat(run(PROMTOOL.toString(), "test", "rules", RULE_TESTS.toString())).contains("SUCCESS");
        for (String config : List.of("prometheus/prometheus.yml", "prometheus/prometheus.cluster.yml")) {
            assertThat(run(PROMTOOL.toString(), "check", "config", DeployFiles.path(config).toString()))
                    .as(config).contains("SUCCESS");
        }
    }

    @Test
    void everyAlertRuleParsesNamesOnlyExportedMetricsAndEvaluatesWithoutError() throws Exception {
        Set<String> exported = exportedMetrics();
        List<String> problems = new ArrayList<>();
        int rules = 0;
        for (JsonNode group : DeployFiles.yaml(RULES).get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                rules++;
                String name = rule.get("alert").asText();
                String expr = rule.get("expr").asText();
                JsonNode answer = query(expr);
                if (!"success".equals(answer.path("status").asText())) {
                    problems.add(name + ": " + answer.path("error").asText());
                }
                for (String metric : PromQl.metricNames(expr)) {
                    if (!exported.contains(metric) && !SYNTHETIC.contains(metric)) {
                        problems.add(name + ": the server exports no " + metric);
                    }
                }
            }
        }
        assertThat(rules).isGreaterThanOrEqualTo(7);
        assertThat(problems).isEmpty();

        // Prometheus itself evaluates the rule file: every rule has run, and none failed.
        Poll.until("every rule evaluated", Duration.ofSeconds(20), () -> {
            for (JsonNode group : rulesApi()) {
                for (JsonNode rule : group.get("rules")) {
                    if (rule.path("lastEvaluation").asText().startsWith("0001")) {
                        return false;
                    }
                }
            }
            return true;
        });
        List<String> unhealthy = new ArrayList<>();
        int evaluated = 0;
        for (JsonNode group : rulesApi()) {
            for (JsonNode rule : group.get("rules")) {
                evaluated++;
                if (!"ok".equals(rule.get("health").asText())) {
                    unhealthy.add(rule.get("name").asText() + ": " + rule.path("lastError").asText());
                }
            }
        }
        assertThat(evaluated).isEqualTo(rules);
        assertThat(unhealthy).isEmpty();
    }

    @Test
    void everyDashboardQueryParsesNamesOnlyExportedMetricsAndShowsData() throws Exception {
        Set<String> exported = exportedMetrics();
        List<Dashboards.Query> queries = Dashboards.queries();
        assertThat(queries).hasSizeGreaterThan(40);
        List<String> problems = new ArrayList<>();
        for (Dashboards.Query q : queries) {
            String where = q.dashboard() + " / " + q.panel() + ": ";
            JsonNode answer = query(q.resolved());
            if (!"success".equals(answer.path("status").asText())) {
                problems.add(where + answer.path("error").asText());
                continue;
            }
            for (String metric : PromQl.metricNames(q.resolved())) {
                if (!exported.contains(metric) && !SYNTHETIC.contains(metric)) {
                    problems.add(where + "the server exports no " + metric);
                }
            }
            if (!showsANumber(answer)) {
                problems.add(where + "no data for " + q.resolved());
            }
        }
        for (String metric : Dashboards.variableMetrics()) {
            if (!exported.contains(metric)) {
                problems.add("a dashboard variable lists the values of " + metric + ", which the server does not export");
            }
        }
        assertThat(problems).isEmpty();
    }

    /** Whether any series of an instant query's answer has a value Grafana can draw (NaN it draws as nothing). */
    private static boolean showsANumber(JsonNode answer) {
        for (JsonNode series : answer.path("data").path("result")) {
            String value = series.path("value").path(1).asText();
            if (!value.isEmpty() && !value.equals("NaN")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void requestsAreCountedByRouteTemplateNotByPath() throws Exception {
        String metrics = metricsText();
        assertThat(metrics).contains("vigil_http_requests_seconds_count{method=\"GET\",route=\"/api/v1/patients/:id\",status=\"404\"}")
                .contains("vigil_http_requests_seconds_count{method=\"POST\",route=\"/api/v1/alerts/:id/ack\",status=\"200\"}")
                .doesNotContain("987654321");
    }

    /** Verifies that the meters added for operators count what the scenario did, no more and no less. */
    @Test
    void theOperatorsMetersCountWhatHappened() throws Exception {
        assertThat(api.metric("vigil_ingest_messages_total")).isEqualTo(1.0);
        assertThat(api.metric("vigil_ingest_message_latency_seconds_count")).isEqualTo(1.0);
        assertThat(api.metric("vigil_ingest_writer_capacity")).isPositive();
        assertThat(api.metric("vigil_alerts_opened_total{rule=\"blood_pressure_high\",severity=\"critical\"}"))
                .isEqualTo(1.0);
        assertThat(api.metric("vigil_alerts_time_to_acknowledge_seconds_count{severity=\"critical\"}")).isEqualTo(1.0);
        assertThat(api.metric("vigil_mqtt_connects_refused_total{reason=\"bad_credentials\"}")).isZero();
        assertThat(metricsText()).contains("vigil_mqtt_connects_refused_total{reason=\"bad_credentials\"}");
        assertThat(api.metric("vigil_database_up")).isEqualTo(1.0);
        String village = "{organisation=\"" + api.defaultVillage() + "\"}";
        assertThat(api.metric("vigil_organisation_devices" + village)).isEqualTo(1.0);
        assertThat(api.metric("vigil_organisation_devices_connected" + village)).isEqualTo(1.0);
        assertThat(api.metric("vigil_organisation_devices_last_seen_seconds" + village))
                .isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(120.0));
        assertThat(api.metric("hikaricp_connections_max{pool=\"vigil-db\"}")).as("VIGIL_DB_POOL_SIZE, by default").isEqualTo(10.0);
        // Cluster mode: the one stored batch handed to the readings topic, every partition owned by the only node.
        assertThat(api.metric("vigil_cluster_readings_handed_off_total{outcome=\"sent\"}")).isEqualTo(1.0);
        assertThat(api.metric("vigil_cluster_readings_handed_off_total{outcome=\"failed\"}")).isZero();
        assertThat(api.metric("vigil_cluster_partitions_owned{consumer=\"evaluator\"}")).as("VIGIL_KAFKA_READING_PARTITIONS")
                .isEqualTo(48.0);
        assertThat(api.metric("vigil_cluster_events_sent_total{outcome=\"sent\"}")).as("the alert's events, at least")
                .isGreaterThanOrEqualTo(2.0);
        assertThat(api.metric("vigil_cluster_events_sent_total{outcome=\"failed\"}")).isZero();
        assertThat(api.metric("vigil_cluster_partition_rebuild_seconds_count")).as("the first assignment's rebuild")
                .isEqualTo(1.0);
    }

    @Test
    void theHealthCheckScriptFollowsTheServer() throws Exception {
        Path script = DeployFiles.path("bin/vigil-health");
        ProcessBuilder up = new ProcessBuilder(script.toString());
        up.environment().put("VIGIL_HTTP_PORT", Integer.toString(server.httpPort()));
        assertThat(up.start().waitFor()).isZero();
        ProcessBuilder nobody = new ProcessBuilder(script.toString());
        nobody.environment().put("VIGIL_HTTP_PORT", Integer.toString(ServerProcess.freePort()));
        assertThat(nobody.start().waitFor()).isEqualTo(1);
    }

    private static Set<String> exportedMetrics() throws Exception {
        Set<String> names = new TreeSet<>();
        for (String line : metricsText().lines().toList()) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int end = line.indexOf('{');
                names.add(line.substring(0, end >= 0 ? end : line.indexOf(' ')));
            }
        }
        return names;
    }

    private static String metricsText() throws IOException, InterruptedException {
        return api.send("GET", "/metrics", null).body();
    }

    private static JsonNode query(String expr) {
        try {
            return JSON.readTree(get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)).body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode rulesApi() throws IOException, InterruptedException {
        return JSON.readTree(get("/api/v1/rules").body()).get("data").get("groups");
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + "\n" + output).isZero();
        return output;
    }
}
