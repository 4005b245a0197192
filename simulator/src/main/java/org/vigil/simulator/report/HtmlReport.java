package org.vigil.simulator.report;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vigil.simulator.SimulationReport;

/**
 * The report as one self-contained HTML page for people: the verdict first, then throughput and latency
 * charts (inline SVG), percentiles, errors by kind, scenario verdicts and false alarms, and the run's
 * settings. No script, no stylesheet or font to download: it opens the same from a CI artefact or an e-mail.
 */
public final class HtmlReport {

    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:900px;color:#1d2330}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde}
            table{border-collapse:collapse;margin:6px 0}td,th{padding:3px 10px;border-bottom:1px solid #eef;text-align:left}
            td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
            .ok{color:#176b2c;font-weight:600}.bad{color:#b3261e;font-weight:600}.muted{color:#667}
            svg .t{font-weight:600;font-size:13px}svg .a{font-size:11px;fill:#445}svg .f{fill:#fbfbfe;stroke:#ccd}svg .g{stroke:#e6e6f0}
            """;

    private HtmlReport() {
    }

    /** The page. */
    public static String render(SimulationReport r) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Vigil simulator report</title><style>")
                .append(CSS).append("</style></head><body>");
        h.append("<h1>Vigil simulator report</h1><p class=\"muted\">").append(esc(r.startedAt().toString())).append(" &middot; ")
                .append(esc(r.setup().getOrDefault("client", ""))).append(" &middot; ").append(esc(r.setup().getOrDefault("profile", "")))
                .append("</p>");
        boolean ok = r.allAcknowledged() && r.scenariosPassed();
        h.append("<p class=\"").append(ok ? "ok" : "bad").append("\">")
                .append(r.allAcknowledged() ? "Every sent message was acknowledged." : "Some messages were not acknowledged.")
                .append(r.scenarios().isEmpty() ? "" : r.scenariosPassed() ? " Every scenario passed." : " Some scenario did not pass.")
                .append("</p>");
        h.append("<table>");
        row(h, "devices (connections)", fmt(r.devices()));
        row(h, "patients / doctors", fmt(r.patients()) + " / " + fmt(r.doctors()));
        if (r.heapPerConnectionBytes() >= 0) {
            row(h, "connected", String.format(Locale.ROOT, "%,d in %.1f s, %,d bytes of heap per connection",
                    r.connected(), r.connectSeconds(), r.heapPerConnectionBytes()));
        }
        row(h, "publishing phase", String.format(Locale.ROOT, "%.2f s", r.elapsed().toNanos() / 1e9));
        row(h, "offered / sent / acknowledged", fmt(r.offered()) + " / " + fmt(r.sent()) + " / " + fmt(r.acknowledged()));
        row(h, "rates, msg/s", String.format(Locale.ROOT, "offered %,.1f, sent %,.1f, acknowledged %,.1f",
                r.offeredRate(), r.achievedRate(), r.acknowledgedRate()));
        row(h, "readings sent / acknowledged", fmt(r.readingsSent()) + " / " + fmt(r.readingsAcknowledged()));
        row(h, "errors", fmt(r.failed()));
        row(h, "QoS 0, duplicates, malformed, buffered uploads",
                fmt(r.qos0Sent()) + ", " + fmt(r.duplicates()) + ", " + fmt(r.malformed()) + ", " + fmt(r.bufferedUploads()));
        h.append("</table>");

        List<SecondSample> s = r.series();
        double[] t = new double[s.size()];
        double[] offered = new double[s.size()];
        double[] sent = new double[s.size()];
        double[] acked = new double[s.size()];
        double[] p50 = new double[s.size()];
        double[] p99 = new double[s.size()];
        double[] inFlight = new double[s.size()];
        double[] connected = new double[s.size()];
        for (int i = 0; i < s.size(); i++) {
            SecondSample x = s.get(i);
            t[i] = x.second();
            offered[i] = x.offered();
            sent[i] = x.sent();
            acked[i] = x.acknowledged();
            p50[i] = x.p50Ms();
            p99[i] = x.p99Ms();
            inFlight[i] = x.inFlight();
            connected[i] = x.connected();
        }
        h.append("<h2>Throughput over time</h2>");
        h.append(SvgChart.lines("Messages per second", "seconds since publishing started", "msg/s", List.of(
                new SvgChart.Series("offered", "#9aa3b5", t, offered),
                new SvgChart.Series("sent", "#2b6cb0", t, sent),
                new SvgChart.Series("acknowledged", "#2f855a", t, acked)), false));
        h.append(SvgChart.lines("PUBACK latency per second", "seconds since publishing started", "ms", List.of(
                new SvgChart.Series("p50", "#2b6cb0", t, p50),
                new SvgChart.Series("p99", "#c05621", t, p99)), false));
        h.append(SvgChart.lines("Connections and messages in flight", "seconds since publishing started", "count", List.of(
                new SvgChart.Series("connected", "#6b46c1", t, connected),
                new SvgChart.Series("in flight", "#c05621", t, inFlight)), false));

        h.append("<h2>Latency</h2><table><tr><th></th><th class=\"n\">count</th><th class=\"n\">mean</th><th class=\"n\">p50</th>")
                .append("<th class=\"n\">p90</th><th class=\"n\">p99</th><th class=\"n\">p99.9</th><th class=\"n\">max</th></tr>");
        latencyRow(h, "publish &rarr; PUBACK (ms)", r.pubackLatency());
        latencyRow(h, "publish &rarr; alert (ms)", r.alertLatency());
        h.append("</table>");
        h.append(SvgChart.lines("PUBACK latency by percentile", "percentile", "ms", List.of(curve("PUBACK", "#2b6cb0", r.pubackLatency())), true));

        h.append("<h2>Errors by kind</h2>");
        if (r.errors().isEmpty()) {
            h.append("<p class=\"ok\">None.</p>");
        } else {
            h.append("<table>");
            r.errors().entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> row(h, e.getKey(), fmt(e.getValue())));
            h.append("</table>");
        }

        if (!r.scenarios().isEmpty()) {
            h.append("<h2>Scenarios</h2><table><tr><th>scenario</th><th>expected</th><th>outcome</th><th>alert</th>")
                    .append("<th class=\"n\">latency</th><th>patient / doctor</th><th>detail</th></tr>");
            for (ScenarioVerdict v : r.scenarios()) {
                h.append("<tr><td>").append(esc(v.scenario())).append("</td><td>").append(esc(v.expectedRule()))
                        .append(v.expectedSeverity() == null ? "" : " (" + esc(v.expectedSeverity()) + ")").append("</td><td class=\"")
                        .append(v.passed() ? "ok" : "bad").append("\">").append(v.outcome().name().toLowerCase(Locale.ROOT))
                        .append("</td><td>").append(v.rule() == null ? "&ndash;" : esc(v.rule() + " " + v.severity()))
                        .append("</td><td class=\"n\">").append(v.latencyMs() < 0 ? "&ndash;" : String.format(Locale.ROOT, "%,.0f ms", v.latencyMs()))
                        .append("</td><td>").append(v.patientId()).append(" / ").append(v.doctorId()).append("</td><td>")
                        .append(esc(v.detail())).append("</td></tr>");
            }
            h.append("</table>");
        }
        if (!r.scenarios().isEmpty() || r.alertEvents() > 0) {
            h.append("<h2>Alerts no scenario explains (false alarms)</h2>");
            if (r.unexplainedAlerts().isEmpty()) {
                h.append("<p class=\"ok\">None among ").append(fmt(r.alertEvents())).append(" alert events.</p>");
            } else {
                h.append("<table><tr><th>alert</th><th>event</th><th>patient</th><th>doctor</th><th>rule</th><th>severity</th><th>measured</th><th>why</th></tr>");
                for (UnexplainedAlert a : r.unexplainedAlerts().subList(0, Math.min(200, r.unexplainedAlerts().size()))) {
                    h.append("<tr><td>").append(a.alertId()).append("</td><td>").append(esc(a.event())).append("</td><td>").append(a.patientId())
                            .append("</td><td>").append(a.doctorId()).append("</td><td>").append(esc(a.rule())).append("</td><td>")
                            .append(esc(a.severity())).append("</td><td>").append(esc(a.measuredAt())).append("</td><td>")
                            .append(esc(a.reason())).append("</td></tr>");
                }
                h.append("</table>");
            }
        }
        h.append("<h2>Settings</h2><table>");
        r.setup().forEach((k, v) -> row(h, k, v));
        h.append("</table><h2>Machine</h2><table>");
        r.machine().forEach((k, v) -> row(h, k, v));
        h.append("</table></body></html>\n");
        return h.toString();
    }

    /** Writes the page to {@code file}, creating its directory. */
    public static void write(SimulationReport r, Path file) {
        ReportFiles.write(file, render(r));
    }

    private static SvgChart.Series curve(String name, String colour, LatencySummary l) {
        double[] x = new double[l.curve().size()];
        double[] y = new double[l.curve().size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = l.curve().get(i).percentile();
            y[i] = l.curve().get(i).ms();
        }
        return new SvgChart.Series(name, colour, x, y);
    }

    private static void latencyRow(StringBuilder h, String name, LatencySummary l) {
        h.append("<tr><td>").append(name).append("</td><td class=\"n\">").append(fmt(l.count())).append("</td>");
        for (double v : new double[] {l.meanMs(), l.p50Ms(), l.p90Ms(), l.p99Ms(), l.p999Ms(), l.maxMs()}) {
            h.append("<td class=\"n\">").append(l.count() == 0 ? "&ndash;" : String.format(Locale.ROOT, "%.2f", v)).append("</td>");
        }
        h.append("</tr>");
    }

    private static void row(StringBuilder h, String k, String v) {
        h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>");
    }

    private static String fmt(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    private static String esc(String s) {
        return SvgChart.esc(s);
    }
}
