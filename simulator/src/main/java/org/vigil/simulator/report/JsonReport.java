package org.vigil.simulator.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.vigil.simulator.SimulationReport;

/**
 * The report as JSON, for machines (a CI step comparing releases, a dashboard). Field names follow the
 * {@link SimulationReport} components; latencies are in milliseconds, rates in messages per second.
 */
public final class JsonReport {

    private JsonReport() {
    }

    /** The report as a JSON object. */
    public static JsonObject toJson(SimulationReport r) {
        JsonObject errors = new JsonObject();
        r.errors().forEach(errors::put);
        JsonArray series = new JsonArray();
        for (SecondSample s : r.series()) {
            series.add(new JsonObject().put("second", s.second()).put("offered", s.offered()).put("sent", s.sent())
                    .put("acknowledged", s.acknowledged()).put("errors", s.errors()).put("p50Ms", s.p50Ms())
                    .put("p99Ms", s.p99Ms()).put("maxMs", s.maxMs()).put("inFlight", s.inFlight()).put("connected", s.connected()));
        }
        JsonArray scenarios = new JsonArray();
        for (ScenarioVerdict v : r.scenarios()) {
            scenarios.add(new JsonObject().put("scenario", v.scenario()).put("device", v.device()).put("patientId", v.patientId())
                    .put("doctorId", v.doctorId()).put("expectedRule", v.expectedRule()).put("expectedSeverity", v.expectedSeverity())
                    .put("outcome", v.outcome().name().toLowerCase(java.util.Locale.ROOT)).put("passed", v.passed())
                    .put("rule", v.rule()).put("severity", v.severity()).put("alertDoctorId", v.alertDoctorId())
                    .put("latencyMs", v.latencyMs() < 0 ? null : v.latencyMs()).put("detail", v.detail()));
        }
        JsonArray unexplained = new JsonArray();
        for (UnexplainedAlert a : r.unexplainedAlerts()) {
            unexplained.add(new JsonObject().put("alertId", a.alertId()).put("event", a.event()).put("patientId", a.patientId())
                    .put("doctorId", a.doctorId()).put("rule", a.rule()).put("severity", a.severity())
                    .put("measuredAt", a.measuredAt()).put("reason", a.reason()));
        }
        return new JsonObject()
                .put("startedAt", r.startedAt().toString())
                .put("setup", new JsonObject(new java.util.LinkedHashMap<>(r.setup())))
                .put("machine", new JsonObject(new java.util.LinkedHashMap<>(r.machine())))
                .put("devices", r.devices()).put("patients", r.patients()).put("doctors", r.doctors())
                .put("connected", r.connected()).put("connectSeconds", r.connectSeconds())
                .put("heapPerConnectionBytes", r.heapPerConnectionBytes())
                .put("elapsedSeconds", r.elapsed().toNanos() / 1e9)
                .put("offered", r.offered()).put("sent", r.sent()).put("acknowledged", r.acknowledged())
                .put("unacknowledged", r.unacknowledged()).put("failed", r.failed())
                .put("readingsSent", r.readingsSent()).put("readingsAcknowledged", r.readingsAcknowledged())
                .put("qos0Sent", r.qos0Sent()).put("duplicates", r.duplicates()).put("malformed", r.malformed())
                .put("bufferedUploads", r.bufferedUploads())
                .put("offeredRate", r.offeredRate()).put("achievedRate", r.achievedRate()).put("acknowledgedRate", r.acknowledgedRate())
                .put("allAcknowledged", r.allAcknowledged()).put("scenariosPassed", r.scenariosPassed())
                .put("errors", errors)
                .put("pubackLatency", latency(r.pubackLatency()))
                .put("alertLatency", latency(r.alertLatency()))
                .put("alertEvents", r.alertEvents())
                .put("scenarios", scenarios)
                .put("unexplainedAlerts", unexplained)
                .put("series", series);
    }

    /** Writes the report to {@code file}, creating its directory. */
    public static void write(SimulationReport r, Path file) {
        ReportFiles.write(file, toJson(r).encodePrettily());
    }

    private static JsonObject latency(LatencySummary l) {
        JsonArray curve = new JsonArray();
        l.curve().forEach(p -> curve.add(new JsonArray().add(p.percentile()).add(p.ms())));
        return new JsonObject().put("count", l.count()).put("meanMs", l.meanMs()).put("p50Ms", l.p50Ms())
                .put("p90Ms", l.p90Ms()).put("p99Ms", l.p99Ms()).put("p999Ms", l.p999Ms()).put("maxMs", l.maxMs())
                .put("percentiles", curve);
    }
}
