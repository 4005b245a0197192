package org.vigil.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.simulator.SimulationReport;

@Timeout(10)
class ReportTest {

    @TempDir
    Path dir;

    static SimulationReport sample() {
        Histogram h = new Histogram(3);
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 10L);
        }
        LatencySummary puback = LatencySummary.of(h, 1000.0);
        List<SecondSample> series = List.of(new SecondSample(1, 1000, 1000, 990, 0, 2.5, 9.0, 12.0, 10, 500),
                new SecondSample(2, 1000, 998, 1005, 2, 3.0, 11.0, 15.0, 3, 500));
        List<ScenarioVerdict> verdicts = List.of(
                new ScenarioVerdict("hypertensive_crisis", "sim-00001", 10, 1, "blood_pressure_high", "critical",
                        ScenarioVerdict.Outcome.PASSED, "blood_pressure_high", "critical", 1, 42.0, "ok"),
                new ScenarioVerdict("hf_weight_gain", "sim-00002", 11, 1, "weight_gain", null,
                        ScenarioVerdict.Outcome.MISSED, null, null, 0, -1, "no weight_gain <alert>"));
        List<UnexplainedAlert> unexplained = List.of(new UnexplainedAlert(5, "alert.opened", 12, 1, "spo2_low", "warning",
                "2026-11-22T07:30:00Z", "no scenario for this patient"));
        return new SimulationReport(Instant.parse("2026-11-22T07:00:00Z"), Map.of("client", "vertx (2 event loops)", "profile", "steady 1000 msg/s"),
                Map.of("cores", "2"), 500, 400, 8, 500, 0.8, 11_000, Duration.ofSeconds(2), 2000, 1998, 1995, 2, 2200, 2190,
                0, 0, 0, 0, 1000, 999, 997.5, Map.of("window_full", 2L), puback, LatencySummary.EMPTY, series, verdicts,
                unexplained, 3);
    }

    @Test
    void jsonCarriesCountsPercentilesSeriesAndVerdicts() throws Exception {
        SimulationReport r = sample();
        JsonReport.write(r, dir.resolve("out/report.json"));
        JsonObject json = new JsonObject(Files.readString(dir.resolve("out/report.json")));
        assertThat(json.getLong("sent")).isEqualTo(1998);
        assertThat(json.getLong("unacknowledged")).isEqualTo(3);
        assertThat(json.getBoolean("allAcknowledged")).isFalse();
        assertThat(json.getJsonObject("errors").getLong("window_full")).isEqualTo(2);
        JsonObject latency = json.getJsonObject("pubackLatency");
        assertThat(latency.getLong("count")).isEqualTo(1000);
        assertThat(latency.getDouble("p50Ms")).isBetween(4.99, 5.01);
        assertThat(latency.getDouble("p99Ms")).isBetween(9.89, 9.91);
        assertThat(latency.getJsonArray("percentiles").size()).isGreaterThan(5);
        assertThat(json.getJsonArray("series").getJsonObject(1).getLong("acknowledged")).isEqualTo(1005);
        assertThat(json.getJsonArray("scenarios").getJsonObject(0).getString("outcome")).isEqualTo("passed");
        assertThat(json.getJsonArray("scenarios").getJsonObject(1).getValue("latencyMs")).isNull();
        assertThat(json.getBoolean("scenariosPassed")).isFalse();
        assertThat(json.getJsonArray("unexplainedAlerts").getJsonObject(0).getString("rule")).isEqualTo("spo2_low");
        assertThat(json.getLong("heapPerConnectionBytes")).isEqualTo(11_000);
    }

    @Test
    void htmlIsOneSelfContainedPageWithChartsAndTables() throws Exception {
        HtmlReport.write(sample(), dir.resolve("report.html"));
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).startsWith("<!DOCTYPE html>").contains("</html>");
        assertThat(html).doesNotContain("<script").doesNotContain("<link").doesNotContain("src=").doesNotContain("@import");
        assertThat(html.split("<svg", -1)).hasSizeGreaterThanOrEqualTo(5);
        assertThat(html).contains("<polyline").contains("Messages per second").contains("PUBACK latency by percentile");
        assertThat(html).contains("hypertensive_crisis").contains("window_full").contains("spo2_low");
        assertThat(html).as("text is escaped").contains("no weight_gain &lt;alert&gt;").doesNotContain("<alert>");
    }

    @Test
    void niceAxisSteps() {
        assertThat(SvgChart.nice(0.7)).isEqualTo(1.0);
        assertThat(SvgChart.nice(13)).isEqualTo(20.0);
        assertThat(SvgChart.nice(420)).isEqualTo(500.0);
    }
}
