package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.model.Metric;

/**
 * Measures the console at a realistic load, in the real browser, and writes the times to
 * target/console-timings.txt (see docs/performance.md): the first render of triage with 500 open alerts in the
 * doctor's scope, and the 90-day charts of a patient whose wearable sent a heart rate every minute. The data is
 * written straight into the database (alerts as the engine writes them), since how it got there is not measured.
 * Nothing here asserts a time: it checks only that everything was shown.
 */
@Timeout(600)
class ConsoleLoadIT extends ConsoleServerTest {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleLoadIT.class);
    private static final int PATIENTS = 25;
    private static final List<String> RULES = List.of("blood_pressure_high", "bp_mean_high", "glucose_low", "glucose_high",
            "glucose_low_share", "spo2_low", "spo2_low_sustained", "spo2_baseline_drop", "heart_rate_abnormal",
            "heart_rate_high_sustained", "body_temp_high", "weight_gain", "news2", "missing_systolic_bp",
            "missing_glucose", "missing_spo2", "missing_body_weight", "missing_heart_rate", "missing_body_temp",
            "missing_resp_rate");

    @BeforeAll
    static void start() throws Exception {
        startServer(TestServers.externalDatabase());
    }

    @Test
    void triageWith500OpenAlertsAndA90DayMinuteChart() throws Exception {
        ConsoleClinic clinic = ConsoleClinic.create(admin);
        List<Long> patients = new ArrayList<>(List.of(clinic.patientId));
        for (int i = 1; i < PATIENTS; i++) {
            patients.add(admin.create("/api/v1/patients", new JsonObject().put("name", "患者" + i)
                    .put("teamId", clinic.teamId).put("doctorId", clinic.doctorId)
                    .put("conditions", new JsonArray().add("hypertension").add("diabetes"))).getLong("id"));
        }
        Instant now = Instant.now();
        try (Connection c = server.database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO alert (patient_id, doctor_id, organisation_id, rule, severity, status, metric, value,
                                        measured_at, opened_at, occurrences, last_value, last_measured_at, updated_at,
                                        detail, worst_value, late, unit)
                     VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, false, ?)""")) {
            int n = 0;
            for (long patient : patients) {
                for (String rule : RULES) {
                    Timestamp at = Timestamp.from(now.minus(++n * 7L, ChronoUnit.MINUTES));
                    Figure f = figure(rule, n);
                    ps.setLong(1, patient);
                    ps.setLong(2, clinic.doctorId);
                    ps.setLong(3, clinic.organisationId);
                    ps.setString(4, rule);
                    ps.setString(5, n % 3 == 0 ? "critical" : "warning");
                    ps.setInt(6, f.metric().code());
                    ps.setDouble(7, f.value());
                    ps.setTimestamp(8, at);
                    ps.setTimestamp(9, at);
                    ps.setDouble(10, f.value());
                    ps.setTimestamp(11, at);
                    ps.setTimestamp(12, at);
                    ps.setString(13, f.metric().wireName() + " " + f.value() + " " + f.unit());
                    ps.setDouble(14, f.value());
                    ps.setString(15, f.unit().equals(f.metric().ucum()) ? null : f.unit());
                    ps.addBatch();
                }
            }
            ps.executeBatch();
        }
        try (Connection c = server.database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO reading (patient_id, metric, ts, device_id, value)
                     SELECT ?, ?, g, ?, 72 + 12 * sin(extract(epoch FROM g) / 3600.0)
                       FROM generate_series(?::timestamptz - interval '90 days', ?::timestamptz, interval '1 minute') g""")) {
            ps.setLong(1, clinic.patientId);
            ps.setInt(2, Metric.HEART_RATE.code());
            ps.setLong(3, clinic.device.id());
            ps.setTimestamp(4, Timestamp.from(now));
            ps.setTimestamp(5, Timestamp.from(now));
            assertThat(ps.executeUpdate()).isGreaterThan(129_000);
        }

        List<String> lines = new ArrayList<>();
        try (Browser browser = new Browser("http://127.0.0.1:" + server.httpPort())) {
            browser.signIn(clinic.login, ConsoleClinic.PASSWORD);
            browser.until(d -> d.findElements(By.cssSelector("#triage tbody tr")).size() == 500);
            browser.screenshot("20-triage-500");
            // Most severe first, then longest open: every critical row before every warning, each group oldest first.
            @SuppressWarnings("unchecked")
            List<String> order = (List<String>) browser.script(
                    "return Array.from(document.querySelectorAll('#triage tbody tr'))"
                    + ".map(r => r.dataset.severity + ' ' + r.querySelector('td.age').dataset.opened);");
            List<String> expected = new ArrayList<>(order);
            expected.sort(java.util.Comparator.comparing((String row) -> row.startsWith("critical") ? 0 : 1)
                    .thenComparing(row -> Instant.parse(row.substring(row.indexOf(' ') + 1))));
            assertThat(order).containsExactlyElementsOf(expected);
            // Each figure in its own unit: hours without data for a missing measurement, a score for NEWS2.
            @SuppressWarnings("unchecked")
            List<String> figures = (List<String>) browser.script(
                    "return Array.from(document.querySelectorAll('#triage tbody td:nth-child(4)')).map(td => td.textContent);");
            assertThat(figures).hasSize(500)
                    .anyMatch(v -> v.matches("体重：\\d+ 小时未收到"))
                    .anyMatch(v -> v.matches("NEWS2 评分 \\d+"))
                    .anyMatch(v -> v.matches("收缩压 \\d+ mmHg"))
                    .as("a missing weight's 30 to 49 hours never shown as kilograms").noneMatch(v -> v.matches("体重 [34]\\d kg"));
            List<Long> loads = new ArrayList<>();
            List<Long> firstRenders = new ArrayList<>();
            List<Long> renders = new ArrayList<>();
            for (int run = 0; run < 5; run++) {
                browser.open("/console/i18n/en.json");
                long started = System.nanoTime();
                browser.open("/#/triage");
                browser.until(d -> d.findElements(By.cssSelector("#triage tbody tr")).size() == 500);
                loads.add((System.nanoTime() - started) / 1_000_000);
                firstRenders.add(Long.parseLong(browser.find("main").getDomAttribute("data-rendered-at")));
                renders.add(Long.parseLong(browser.find("main").getDomAttribute("data-rendered-ms")));
            }
            lines.add("triage, 500 open alerts of 25 patients: navigation start to 500 rows rendered (in the page) "
                    + summary(firstRenders) + " ms; of which fetching the alerts and patients and building the rows "
                    + summary(renders) + " ms; as WebDriver sees it, get() to 500 rows " + summary(loads) + " ms");

            List<Long> charts = new ArrayList<>();
            List<Long> inPage = new ArrayList<>();
            for (int run = 0; run < 5; run++) {
                browser.open("/#/patients");
                browser.visible("#patients-table");
                browser.open("/#/patient/" + clinic.patientId);
                browser.visible(".chart[data-metric=heart_rate] canvas");
                long started = System.nanoTime();
                browser.find(".range button[data-days='90']").click();
                browser.until(d -> "90".equals(browser.find("main").getDomAttribute("data-chart-days"))
                        && !d.findElements(By.cssSelector(".chart[data-metric=heart_rate] canvas")).isEmpty());
                charts.add((System.nanoTime() - started) / 1_000_000);
                inPage.add(Long.parseLong(browser.find("main").getDomAttribute("data-chart-ms")));
            }
            assertThat(Integer.parseInt(browser.find(".chart[data-metric=heart_rate]").getDomAttribute("data-points")))
                    .as("hourly buckets over 90 days").isBetween(2_150, 2_170);
            browser.screenshot("21-patient-90-days-wearable");
            lines.add("patient page, 90 days (129,601 heart-rate readings, one a minute, down-sampled to hourly means): "
                    + "click to all five charts drawn " + summary(charts) + " ms; of which series fetch and drawing "
                    + summary(inPage) + " ms");
        }
        lines.forEach(line -> LOG.info("Console timing: {}", line));
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "console-timings.txt"), lines);
    }

    /** Median and range of the runs. */
    private static String summary(List<Long> runs) {
        List<Long> sorted = new ArrayList<>(runs);
        Collections.sort(sorted);
        return "median " + sorted.get(sorted.size() / 2) + " (" + sorted.get(0) + "-" + sorted.get(sorted.size() - 1) + ")";
    }

    /** A seeded alert's figure, as the rule would raise it. */
    private record Figure(Metric metric, double value, String unit) {
    }

    private static Figure figure(String rule, int n) {
        if (rule.startsWith("missing_")) {
            return new Figure(Metric.byName(rule.substring("missing_".length())), 30 + n % 20, "h");
        }
        return switch (rule) {
            case "news2" -> new Figure(Metric.RESP_RATE, 5 + n % 4, "{score}");
            case "glucose_low_share" -> new Figure(Metric.GLUCOSE, 10 + n % 15, "%");
            case "glucose_low" -> new Figure(Metric.GLUCOSE, 2.5 + n % 10 / 10.0, Metric.GLUCOSE.ucum());
            case "glucose_high" -> new Figure(Metric.GLUCOSE, 15 + n % 8, Metric.GLUCOSE.ucum());
            case "spo2_low", "spo2_low_sustained" -> new Figure(Metric.SPO2, 85 + n % 6, Metric.SPO2.ucum());
            case "spo2_baseline_drop" -> new Figure(Metric.SPO2, 4 + n % 3, Metric.SPO2.ucum());
            case "heart_rate_abnormal", "heart_rate_high_sustained" ->
                    new Figure(Metric.HEART_RATE, 125 + n % 20, Metric.HEART_RATE.ucum());
            case "body_temp_high" -> new Figure(Metric.BODY_TEMP, 38.5 + n % 10 / 10.0, Metric.BODY_TEMP.ucum());
            case "weight_gain" -> new Figure(Metric.BODY_WEIGHT, 2 + n % 3, Metric.BODY_WEIGHT.ucum());
            default -> new Figure(Metric.SYSTOLIC_BP, 150 + n % 40, Metric.SYSTOLIC_BP.ucum());
        };
    }
}
