package org.vigil.simulator;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.simulator.load.LoadEngine;
import org.vigil.simulator.load.StatsCollector;
import org.vigil.simulator.load.Threads;
import org.vigil.simulator.load.Totals;
import org.vigil.simulator.population.Population;
import org.vigil.simulator.registry.DeviceSource;
import org.vigil.simulator.registry.SimulatedDevice;
import org.vigil.simulator.scenario.AlertWatch;
import org.vigil.simulator.scenario.ScenarioCasting;
import org.vigil.simulator.scenario.ScenarioScheduler;

/**
 * One simulation, start to finish, in this order: plan the population, obtain its devices (provision or
 * reuse), cast the scenarios, open the doctors' alert feeds, connect, schedule the scenarios, publish, wait
 * (bounded) for the last acknowledgements and the expected alerts, disconnect, judge, report. Each step is
 * a collaborator's job; this class keeps their order, the phase messages, the progress line, and the rule
 * that every wait has a bound and clients, feeds and threads are closed on every path out.
 */
final class SimulationRun {

    private static final Logger LOG = LoggerFactory.getLogger(SimulationRun.class);
    static final Duration ACK_WAIT = Duration.ofSeconds(10);
    private static final String RUN_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

    private final SimulatorConfig config;
    private final SimulationListener listener;
    /** Distinguishes this run's serials and client ids from any earlier run's when no devices file makes them reusable. */
    private final String runId;

    SimulationRun(SimulatorConfig config, SimulationListener listener) {
        this.config = config;
        this.listener = listener;
        this.runId = randomRunId();
    }

    SimulationReport execute() throws InterruptedException {
        Population population = Population.plan(config.devices(), config.mix(), config.wearables(), config.comorbidity(),
                config.seed());
        List<SimulatedDevice> devices = new DeviceSource(config.devicesFile(), config.token(), config.api(), config.prefix(),
                runId, listener::phase).obtain(population);
        VertxOptions options = new VertxOptions()
                .setEventLoopPoolSize(config.client() == LoadEngine.Client.VERTX ? config.loops() : 1)
                .setWorkerPoolSize(2)
                .setPreferNativeTransport(true);
        Vertx vertx = Vertx.vertx(options);
        AlertWatch alerts = AlertWatch.none();
        try {
            ScenarioCasting.Cast cast = new ScenarioCasting(config.api(), config.token(), config.expectations(),
                    config.scenarioStep()).cast(config.scenarios(), population, devices);
            if (config.feeds()) {
                alerts = AlertWatch.open(vertx, config.api(), config.token().orElseThrow(), devices, listener::phase);
            }
            return run(vertx, population, devices, cast, alerts);
        } finally {
            alerts.close();
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
    }

    private SimulationReport run(Vertx vertx, Population population, List<SimulatedDevice> devices, ScenarioCasting.Cast cast,
            AlertWatch alerts) throws InterruptedException {
        long heapBefore = usedHeapAfterGc();
        LoadEngine engine = EngineSetup.engine(config, runId, vertx, population, devices);
        StatsCollector stats = new StatsCollector(engine.stats());
        ScheduledExecutorService progressThread = Executors.newSingleThreadScheduledExecutor(Threads.daemon("sim-progress"));
        ReportAssembler.ConnectPhase connect = ReportAssembler.ConnectPhase.NONE;
        Duration elapsed;
        Instant startedAt;
        try {
            if (config.workload() == SimulatorConfig.Workload.LOAD) {
                connect = connectAll(engine, devices.size(), heapBefore);
            }
            new ScenarioScheduler(config.scenarioAt(), config.scenarioStep(), config.duration(), config.seed())
                    .schedule(cast.byDevice(), population, engine);
            alerts.awaitLive();
            listener.phase(describePublishing());
            startedAt = Instant.now();
            long start = engine.start();
            progressThread.scheduleAtFixedRate(() -> progress(stats, start, alerts), 1, 1, TimeUnit.SECONDS);
            elapsed = engine.awaitFinished(config.duration().plusSeconds(30));
            engine.stop();
            awaitAcknowledgements(engine);
            alerts.awaitSettled(cast.runs(), config.alertWait(), () -> listener.phase(
                    "Waiting up to " + SimulatorConfig.format(config.alertWait()) + " for the scenarios' alerts"));
            progressThread.shutdown();
            progressThread.awaitTermination(5, TimeUnit.SECONDS);
        } finally {
            progressThread.shutdownNow();
            engine.close();
        }
        ReportAssembler reports = new ReportAssembler(config, listener);
        SimulationReport report = reports.assemble(population, devices, stats, startedAt, elapsed, connect, cast.runs(),
                alerts.events());
        reports.write(report);
        return report;
    }

    /** Connects every device before publishing (load workload); any device that cannot connect fails the run. */
    private ReportAssembler.ConnectPhase connectAll(LoadEngine engine, int devices, long heapBefore) throws InterruptedException {
        LoadEngine.ConnectResult result = engine.connectAll(Duration.ofSeconds(30 + (long) (devices / config.connectRate()) * 2));
        if (result.failed() > 0) {
            String first = result.firstFailure() == null ? "" : result.firstFailure();
            String hint = first.contains("refused") ? " (is the device registered on this server? check --devices-file and --mqtt-host)"
                    : " (is the server running? check --mqtt-host and --mqtt-port)";
            throw new SimulatorException(result.failed() + " of " + (result.failed() + result.connected()) + " devices could not connect to "
                    + config.mqttUri() + "; first: " + first + hint);
        }
        int connected = result.connected();
        double seconds = result.elapsed().toNanos() / 1e9;
        long heapPerConnection = Math.max(0, (usedHeapAfterGc() - heapBefore) / Math.max(1, connected));
        listener.phase(String.format(Locale.ROOT, "Connected %,d devices to %s in %.1f s with %s (%,d bytes of heap each)",
                connected, config.mqttUri(), seconds, config.client().name().toLowerCase(Locale.ROOT), heapPerConnection));
        return new ReportAssembler.ConnectPhase(connected, seconds, heapPerConnection);
    }

    private void awaitAcknowledgements(LoadEngine engine) throws InterruptedException {
        long outstanding = engine.inFlight();
        if (outstanding == 0) {
            return;
        }
        listener.phase(String.format(Locale.ROOT, "Waiting up to %d s for %,d outstanding acknowledgements",
                ACK_WAIT.toSeconds(), outstanding));
        Threads.pollUntil(() -> engine.inFlight() <= 0, System.nanoTime() + ACK_WAIT.toNanos(), 10);
        if (engine.inFlight() > 0) {
            LOG.warn("{} messages still unacknowledged after {} s", engine.inFlight(), ACK_WAIT.toSeconds());
        }
    }

    private void progress(StatsCollector stats, long start, AlertWatch alerts) {
        try {
            StatsCollector.Sample s = stats.sample(System.nanoTime() - start);
            Totals t = s.totals();
            listener.progress(new Progress(Duration.ofNanos(System.nanoTime() - start), t.connected(), t.sent(), t.acknowledged(),
                    t.errorCount(), t.inFlight(), s.interval().sent(), s.interval().acknowledged(), s.interval().p50Ms(),
                    s.interval().p99Ms(), alerts.eventCount()));
        } catch (RuntimeException e) {
            // A faulty listener must not stop the progress task (an exception would cancel it silently).
            LOG.warn("Progress listener failed", e);
        }
    }

    private String describePublishing() {
        if (config.workload() == SimulatorConfig.Workload.DAY) {
            return String.format(Locale.ROOT, "Simulating the patients' day from %s at %.0fx for %s (QoS %s)",
                    config.simStart(), config.timeScale(), SimulatorConfig.format(config.duration()),
                    config.qos().name().toLowerCase(Locale.ROOT));
        }
        return String.format(Locale.ROOT, "Publishing %s for %s (at most %,d messages, QoS %s, batch %d, window %d)",
                config.profile().describe(), SimulatorConfig.format(config.duration()), config.plannedMessages(),
                config.qos().name().toLowerCase(Locale.ROOT), config.batch(), config.window());
    }

    private static long usedHeapAfterGc() {
        // Twice: the first collection may leave garbage that finalisation or reference processing frees.
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static String randomRunId() {
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            id.append(RUN_ID_ALPHABET.charAt(random.nextInt(RUN_ID_ALPHABET.length())));
        }
        return id.toString();
    }
}
