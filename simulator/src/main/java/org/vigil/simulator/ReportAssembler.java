package org.vigil.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vigil.simulator.load.LoadEngine;
import org.vigil.simulator.load.StatsCollector;
import org.vigil.simulator.load.Totals;
import org.vigil.simulator.population.Population;
import org.vigil.simulator.registry.SimulatedDevice;
import org.vigil.simulator.report.HtmlReport;
import org.vigil.simulator.report.JsonReport;
import org.vigil.simulator.scenario.AlertEvent;
import org.vigil.simulator.scenario.ScenarioJudge;
import org.vigil.simulator.scenario.ScenarioKind;
import org.vigil.simulator.scenario.ScenarioRun;

/**
 * Turns what a run measured into its {@link SimulationReport}: the lanes' counters and PUBACK latency, the
 * connect phase's figures, the scenarios' judgement against the alert events, and the run's settings and
 * machine in words; and writes {@code report.json} and {@code report.html} when {@code --report-dir} asks.
 */
final class ReportAssembler {

    /**
     * What the connect phase of the load workload measured.
     *
     * @param connected               devices connected
     * @param seconds                 time to connect them
     * @param heapPerConnectionBytes  heap used per connection; -1 when not measured
     */
    record ConnectPhase(int connected, double seconds, long heapPerConnectionBytes) {
        /** The day workload has no connect phase: devices connect when they have something to send. */
        static final ConnectPhase NONE = new ConnectPhase(0, 0, -1);
    }

    private final SimulatorConfig config;
    private final SimulationListener listener;

    ReportAssembler(SimulatorConfig config, SimulationListener listener) {
        this.config = config;
        this.listener = listener;
    }

    /**
     * @param elapsed  length of the publishing phase
     * @param events   the alert events the feeds received, in arrival order
     */
    SimulationReport assemble(Population population, List<SimulatedDevice> devices, StatsCollector stats, Instant startedAt,
            Duration elapsed, ConnectPhase connect, List<ScenarioRun> scenarios, List<AlertEvent> events) {
        Totals t = stats.totals();
        ScenarioJudge.Judgement judgement = ScenarioJudge.judge(scenarios, events);
        double seconds = Math.max(1e-9, elapsed.toNanos() / 1e9);
        Map<String, Long> errors = new LinkedHashMap<>();
        t.errors().forEach((k, v) -> errors.put(k.key(), v));
        int doctors = (int) devices.stream().mapToLong(SimulatedDevice::doctorId).filter(id -> id > 0).distinct().count();
        return new SimulationReport(startedAt, setup(), machine(), devices.size(), population.patients().size(),
                doctors == 0 ? population.doctors().size() : doctors,
                connect.connected() > 0 ? connect.connected() : (int) t.connected(), connect.seconds(),
                connect.heapPerConnectionBytes(), elapsed, t.offered(), t.sent(), t.acknowledged(), t.errorCount(),
                t.readingsSent(), t.readingsAcknowledged(), t.qos0Sent(), t.duplicates(), t.malformed(), t.bufferedUploads(),
                t.offered() / seconds, t.sent() / seconds, t.acknowledged() / seconds, errors, stats.latency(),
                judgement.alertLatency(), stats.series(), judgement.verdicts(), judgement.unexplained(), events.size());
    }

    /** Writes the report's files if {@code --report-dir} was given. */
    void write(SimulationReport report) {
        config.reportDir().ifPresent(dir -> {
            JsonReport.write(report, dir.resolve("report.json"));
            HtmlReport.write(report, dir.resolve("report.html"));
            listener.phase("Wrote " + dir.resolve("report.json") + " and " + dir.resolve("report.html"));
        });
    }

    private Map<String, String> setup() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("client", config.client().name().toLowerCase(Locale.ROOT)
                + (config.client() == LoadEngine.Client.VERTX ? " (" + config.loops() + " event loops)" : ""));
        s.put("target", config.mqttUri());
        s.put("workload", config.workload().name().toLowerCase(Locale.ROOT));
        s.put("profile", config.workload() == SimulatorConfig.Workload.LOAD ? config.profile().describe()
                : "patients' schedules, time scale " + config.timeScale() + " from " + config.simStart());
        s.put("duration", SimulatorConfig.format(config.duration()));
        config.maxMessages().ifPresent(m -> s.put("max messages", Long.toString(m)));
        s.put("devices", Integer.toString(config.devices()));
        s.put("mix", config.mix().text());
        s.put("wearables", Double.toString(config.wearables()));
        s.put("comorbidity", Double.toString(config.comorbidity()));
        s.put("qos", config.qos().name().toLowerCase(Locale.ROOT));
        s.put("window", Integer.toString(config.window()));
        s.put("batch", Integer.toString(config.batch()));
        s.put("behaviours", config.behaviours().toString().replace("Behaviours", ""));
        s.put("seed", Long.toString(config.seed()));
        if (!config.scenarios().isEmpty()) {
            s.put("scenarios", config.scenarios().stream().map(ScenarioKind::wireName).toList().toString());
        }
        return s;
    }

    private static Map<String, String> machine() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        m.put("max heap", Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB");
        m.put("java", System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return m;
    }
}
