package org.vigil.simulator;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.simulator.load.DeviceSpec;
import org.vigil.simulator.load.LinkSettings;
import org.vigil.simulator.load.LoadEngine;
import org.vigil.simulator.load.ScenarioDriver;
import org.vigil.simulator.load.SimClock;
import org.vigil.simulator.load.StatsCollector;
import org.vigil.simulator.load.Threads;
import org.vigil.simulator.load.Totals;
import org.vigil.simulator.population.DeviceType;
import org.vigil.simulator.population.Physiology;
import org.vigil.simulator.population.Population;
import org.vigil.simulator.registry.DevicesFile;
import org.vigil.simulator.registry.Provisioner;
import org.vigil.simulator.registry.RegistryClient;
import org.vigil.simulator.registry.SimulatedDevice;
import org.vigil.simulator.report.HtmlReport;
import org.vigil.simulator.report.JsonReport;
import org.vigil.simulator.report.LatencySummary;
import org.vigil.simulator.scenario.AlertFeeds;
import org.vigil.simulator.scenario.ScenarioJudge;
import org.vigil.simulator.scenario.ScenarioKind;
import org.vigil.simulator.scenario.ScenarioRun;
import org.vigil.simulator.scenario.ScenarioScript;

/**
 * One simulation, start to finish: plan the population, obtain its devices (provision or reuse), open the
 * doctors' alert feeds, pick the scenario patients, connect, publish, wait (bounded) for the last
 * acknowledgements and the expected alerts, disconnect, judge, report. Every wait has a bound, and clients,
 * feeds and threads are closed on every path out.
 */
final class SimulationRun {

    private static final Logger LOG = LoggerFactory.getLogger(SimulationRun.class);
    static final Duration ACK_WAIT = Duration.ofSeconds(10);
    private static final Duration FEEDS_WAIT = Duration.ofSeconds(10);
    /** MQTT 3.1.1 servers need only accept client ids up to 23 characters (Vert.x enforces that). */
    private static final int MAX_CLIENT_ID = 23;
    private static final String RUN_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
    private static final int SCENARIO_CANDIDATES = 30;

    private final SimulatorConfig config;
    private final SimulationListener listener;
    /** Distinguishes this run's serials from any earlier run's when no devices file makes them reusable. */
    private final String runId;

    SimulationRun(SimulatorConfig config, SimulationListener listener) {
        this.config = config;
        this.listener = listener;
        this.runId = randomRunId();
    }

    SimulationReport execute() throws InterruptedException {
        Population population = Population.plan(config.devices(), config.mix(), config.wearables(), config.comorbidity(),
                config.seed());
        List<SimulatedDevice> devices = obtainDevices(population);
        VertxOptions options = new VertxOptions()
                .setEventLoopPoolSize(config.client() == LoadEngine.Client.VERTX ? config.loops() : 1)
                .setWorkerPoolSize(2)
                .setPreferNativeTransport(true);
        Vertx vertx = Vertx.vertx(options);
        AlertFeeds feeds = null;
        try {
            List<ScenarioRun> scenarios = new ArrayList<>();
            Map<Integer, ScenarioRun> scenarioDevices = pickScenarioPatients(population, devices, scenarios);
            if (config.feeds()) {
                feeds = openFeeds(vertx, devices);
            }
            return run(vertx, population, devices, scenarios, scenarioDevices, feeds);
        } finally {
            if (feeds != null) {
                feeds.close();
            }
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
    }

    private SimulationReport run(Vertx vertx, Population population, List<SimulatedDevice> devices, List<ScenarioRun> scenarios,
            Map<Integer, ScenarioRun> scenarioDevices, AlertFeeds feeds) throws InterruptedException {
        long heapBefore = usedHeapAfterGc();
        LoadEngine engine = engine(vertx, population, devices);
        StatsCollector stats = new StatsCollector(engine.stats());
        ScheduledExecutorService progressThread = Executors.newSingleThreadScheduledExecutor(Threads.daemon("sim-progress"));
        int connected = 0;
        double connectSeconds = 0;
        long heapPerConnection = -1;
        Duration elapsed;
        Instant startedAt;
        try {
            if (config.workload() == SimulatorConfig.Workload.LOAD) {
                LoadEngine.ConnectResult result = engine.connectAll(Duration.ofSeconds(30 + (long) (devices.size() / config.connectRate()) * 2));
                if (result.failed() > 0) {
                    throw connectFailure(result);
                }
                connected = result.connected();
                connectSeconds = result.elapsed().toNanos() / 1e9;
                heapPerConnection = Math.max(0, (usedHeapAfterGc() - heapBefore) / Math.max(1, connected));
                listener.phase(String.format(Locale.ROOT, "Connected %,d devices to %s in %.1f s with %s (%,d bytes of heap each)",
                        connected, config.mqttUri(), connectSeconds, config.client().name().toLowerCase(Locale.ROOT), heapPerConnection));
            }
            scheduleScenarios(engine, population, scenarioDevices);
            if (feeds != null) {
                awaitFeeds(feeds);
            }
            listener.phase(describePublishing());
            startedAt = Instant.now();
            long start = engine.start();
            AlertFeeds f = feeds;
            progressThread.scheduleAtFixedRate(() -> progress(stats, start, f), 1, 1, TimeUnit.SECONDS);
            elapsed = engine.awaitFinished(config.duration().plusSeconds(30));
            engine.stop();
            awaitAcknowledgements(engine);
            awaitAlerts(scenarios, feeds);
            progressThread.shutdown();
            progressThread.awaitTermination(5, TimeUnit.SECONDS);
        } finally {
            progressThread.shutdownNow();
            engine.close();
        }
        return report(population, devices, stats, elapsed, startedAt, connected, connectSeconds, heapPerConnection, scenarios, feeds);
    }

    private LoadEngine engine(Vertx vertx, Population population, List<SimulatedDevice> devices) throws InterruptedException {
        Map<Integer, Physiology> physiologies = new LinkedHashMap<>();
        List<DeviceSpec> specs = new ArrayList<>(devices.size());
        for (int i = 0; i < devices.size(); i++) {
            SimulatedDevice d = devices.get(i);
            int patient = population.devices().get(i).patient();
            Physiology physiology = physiologies.computeIfAbsent(patient, p -> Physiology.of(population.patients().get(p)));
            int qos = switch (config.qos()) {
                case AT_MOST_ONCE -> 0;
                case AT_LEAST_ONCE -> 1;
                case MIXED -> d.type() == DeviceType.WEARABLE ? 0 : 1;
            };
            specs.add(new DeviceSpec(d.serial(), d.secret(), clientId(d.serial(), i), d.type(), physiology,
                    deviceSeed(config.seed(), i), qos));
        }
        LinkSettings settings = new LinkSettings(config.mqttHost(), config.mqttPort(), config.window(), 60, 30, 10_000);
        org.vigil.simulator.load.Traffic traffic = new org.vigil.simulator.load.Traffic(
                config.workload() == SimulatorConfig.Workload.LOAD ? java.util.Optional.of(config.profile()) : java.util.Optional.empty(),
                config.duration().toNanos(),
                config.workload() == SimulatorConfig.Workload.LOAD ? config.plannedMessages() : config.maxMessages().orElse(Long.MAX_VALUE),
                config.batch(), config.behaviours(),
                new SimClock(config.simStart().toSecondOfDay() / 3600.0, config.timeScale()),
                config.connectRate(), 10_000_000_000L);
        return config.client() == LoadEngine.Client.VERTX
                ? LoadEngine.vertx(vertx, config.loops(), specs, settings, traffic, config.sourceAddresses())
                : LoadEngine.paho(specs, config.mqttUri(), settings, traffic);
    }

    private SimulatorException connectFailure(LoadEngine.ConnectResult result) {
        String first = result.firstFailure() == null ? "" : result.firstFailure();
        String hint = first.contains("refused") ? " (is the device registered on this server? check --devices-file and --mqtt-host)"
                : " (is the server running? check --mqtt-host and --mqtt-port)";
        return new SimulatorException(result.failed() + " of " + (result.failed() + result.connected()) + " devices could not connect to "
                + config.mqttUri() + "; first: " + first + hint);
    }

    // ---- devices ----

    private List<SimulatedDevice> obtainDevices(Population population) throws InterruptedException {
        Path file = config.devicesFile().orElse(null);
        List<SimulatedDevice> known = file != null && Files.exists(file) ? DevicesFile.read(file, population::deviceType) : List.of();
        if (config.token().isEmpty()) {
            if (file == null || !Files.exists(file)) {
                throw new InvalidOptionException("--token", "required to provision devices, since "
                        + (file == null ? "no devices file" : file) + " does not exist yet");
            }
            if (known.size() < config.devices()) {
                throw new InvalidOptionException("--devices", "asks for " + config.devices() + " devices but " + file
                        + " lists only " + known.size() + " (lower --devices, or pass --token to provision the rest)");
            }
            listener.phase("Reusing " + config.devices() + (config.devices() == 1 ? " device" : " devices") + " from " + file);
            return List.copyOf(known.subList(0, config.devices()));
        }
        long start = System.nanoTime();
        // With a devices file the serials are stable, so provisioning is idempotent and resumable; without
        // one, a fresh run id keeps this run's serials apart from any earlier run's.
        java.util.function.IntFunction<String> serialOf = file != null
                ? i -> String.format(Locale.ROOT, "%s-%05d", config.prefix(), i)
                : i -> String.format(Locale.ROOT, "%s-%s-%05d", config.prefix(), runId, i);
        Provisioner.Result result;
        try (RegistryClient api = new RegistryClient(config.api(), config.token().get())) {
            result = new Provisioner(api).provision(population, serialOf, known, file != null, partial -> {
                if (file != null && !partial.isEmpty()) {
                    DevicesFile.write(file, merge(known, partial));
                }
            });
        }
        if (file != null) {
            DevicesFile.write(file, merge(known, result.devices()));
        }
        int doctors = (int) result.devices().stream().mapToLong(SimulatedDevice::doctorId).distinct().count();
        listener.phase(String.format(Locale.ROOT, "Provisioned %d devices (%d created, %d reused; %d patients, %d doctors) via %s in %.1f s%s",
                result.devices().size(), result.created(), result.reused(), population.patients().size(), doctors, config.api(),
                (System.nanoTime() - start) / 1e9, file == null ? "" : "; devices file " + file));
        return result.devices();
    }

    /** The file's devices updated with the provisioned ones, by serial, keeping devices beyond this run's count. */
    private static List<SimulatedDevice> merge(List<SimulatedDevice> known, List<SimulatedDevice> current) {
        Map<String, SimulatedDevice> all = new LinkedHashMap<>();
        current.forEach(d -> all.put(d.serial(), d));
        known.forEach(d -> all.putIfAbsent(d.serial(), d));
        return new ArrayList<>(all.values());
    }

    // ---- scenarios and feeds ----

    /**
     * Picks a patient for each scenario: the scenario's condition and device, preferably no other device
     * (so nothing else of theirs can explain an alert), not used by another scenario, and without an alert
     * still active on the server (a repeat would update it silently rather than notify).
     */
    private Map<Integer, ScenarioRun> pickScenarioPatients(Population population, List<SimulatedDevice> devices,
            List<ScenarioRun> runs) throws InterruptedException {
        Map<Integer, ScenarioRun> chosen = new LinkedHashMap<>();
        if (config.scenarios().isEmpty()) {
            return chosen;
        }
        Set<Integer> usedPatients = new HashSet<>();
        try (RegistryClient api = new RegistryClient(config.api(), config.token().orElseThrow())) {
            for (ScenarioKind kind : config.scenarios()) {
                Integer device = null;
                for (boolean singleDevice : new boolean[] {true, false}) {
                    int checked = 0;
                    for (int i = 0; i < devices.size() && device == null && checked < SCENARIO_CANDIDATES; i++) {
                        Population.Patient p = population.patientOf(i);
                        int patient = population.devices().get(i).patient();
                        if (devices.get(i).type() != kind.device() || !p.conditions().contains(kind.condition())
                                || usedPatients.contains(patient) || (singleDevice && p.devices().size() != 1)
                                || devices.get(i).patientId() == 0) {
                            continue;
                        }
                        checked++;
                        boolean active = api.list("alerts", Map.of("patientId", Long.toString(devices.get(i).patientId()))).stream()
                                .anyMatch(a -> !"resolved".equals(a.getString("status")));
                        if (!active) {
                            device = i;
                            usedPatients.add(patient);
                        }
                    }
                    if (device != null) {
                        break;
                    }
                }
                if (device == null) {
                    ScenarioRun run = new ScenarioRun(kind, config.expectations().of(kind), null, 0, 0);
                    run.notRun("no " + kind.condition().wireName() + " patient with a " + kind.device().wireName()
                            + " and no active alert in a population of " + devices.size() + " devices (add --devices)");
                    runs.add(run);
                    continue;
                }
                SimulatedDevice d = devices.get(device);
                if (kind.silence()) {
                    expectMeasurements(api, kind, d.patientId());
                }
                ScenarioRun run = new ScenarioRun(kind, config.expectations().of(kind), d.serial(), d.patientId(), d.doctorId());
                runs.add(run);
                chosen.put(device, run);
            }
        }
        return chosen;
    }

    /**
     * Gives a silence scenario's patient a care plan that expects the device's measurement. Days are compressed
     * into scenario steps: a measurement is expected every two steps, with one step of grace, so the data is
     * missing three steps after the last upload.
     */
    private void expectMeasurements(RegistryClient api, ScenarioKind kind, long patientId) throws InterruptedException {
        String metric = kind.device() == org.vigil.simulator.population.DeviceType.SCALE ? "body_weight" : "systolic_bp";
        Duration step = config.scenarioStep();
        api.put("patients/" + patientId + "/care-plan", new io.vertx.core.json.JsonObject()
                .put("expected", new io.vertx.core.json.JsonArray().add(new io.vertx.core.json.JsonObject()
                        .put("metric", metric).put("every", step.multipliedBy(2).toString()).put("grace", step.toString()))));
    }

    private void scheduleScenarios(LoadEngine engine, Population population, Map<Integer, ScenarioRun> scenarios)
            throws InterruptedException {
        long now = System.currentTimeMillis() + config.scenarioAt().toMillis();
        long step = config.scenarioStep().toMillis();
        Map<Integer, ScenarioScript> scripts = new LinkedHashMap<>();
        for (Map.Entry<Integer, ScenarioRun> e : scenarios.entrySet()) {
            int device = e.getKey();
            Physiology physiology = Physiology.of(population.patientOf(device));
            ScenarioScript script = ScenarioScript.of(e.getValue().kind(), physiology, now, step,
                    deviceSeed(config.seed(), device) ^ 0x5CE11A10L);
            // A scenario cut short by the end of the run would be judged "missed" for no fault of the server.
            // A silence scenario is judged on the alert three steps after its last upload; the patient who stops
            // measuring must still be connected then, so the run has to last that long.
            int lastStep = Math.max(script.steps().size() - 1, script.silence() >= 0 ? script.silence() + 5 : -1);
            Duration needed = config.scenarioAt().plus(config.scenarioStep().multipliedBy(lastStep));
            if (needed.compareTo(config.duration()) > 0) {
                throw new SimulatorException("--duration " + config.duration().toSeconds() + "s ends before scenario "
                        + e.getValue().kind().wireName() + " has sent everything (its last step is at "
                        + needed.toSeconds() + "s): give --duration of at least " + (needed.toSeconds() + 1) + "s");
            }
            scripts.put(device, script);
        }
        for (Map.Entry<Integer, ScenarioRun> e : scenarios.entrySet()) {
            int device = e.getKey();
            ScenarioRun run = e.getValue();
            ScenarioDriver driver = engine.scenarioDriver(device);
            driver.own();
            ScenarioScript script = scripts.get(device);
            for (int i = 0; i < script.steps().size(); i++) {
                ScenarioScript.Step s = script.steps().get(i);
                driver.uploadAt(config.scenarioAt().toNanos() + i * config.scenarioStep().toNanos(), s.ts(), s.values(), run::uploaded);
            }
            if (script.silence() >= 0) {
                driver.silenceAt(config.scenarioAt().toNanos() + (script.silence() + 1) * config.scenarioStep().toNanos(),
                        script.disconnect(), run::silenced);
            }
            LOG.debug("Scenario {} on device {} (patient {}, doctor {})", run.kind().wireName(), run.device(), run.patientId(), run.doctorId());
        }
    }

    private AlertFeeds openFeeds(Vertx vertx, List<SimulatedDevice> devices) {
        Set<Long> doctors = new LinkedHashSet<>();
        devices.forEach(d -> {
            if (d.doctorId() > 0) {
                doctors.add(d.doctorId());
            }
        });
        AlertFeeds feeds = new AlertFeeds(vertx, config.api(), config.token().orElseThrow(), doctors.size());
        feeds.open(doctors);
        return feeds;
    }

    private void awaitFeeds(AlertFeeds feeds) throws InterruptedException {
        long deadline = System.nanoTime() + FEEDS_WAIT.toNanos();
        while (feeds.liveFeeds() < feeds.requested() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        listener.phase("Listening to " + feeds.liveFeeds() + " of " + feeds.requested() + " doctors' alert feeds");
    }

    private void awaitAlerts(List<ScenarioRun> scenarios, AlertFeeds feeds) throws InterruptedException {
        if (feeds == null || scenarios.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + config.alertWait().toNanos();
        boolean announced = false;
        while (!ScenarioJudge.settled(scenarios, feeds.events()) && System.nanoTime() < deadline) {
            if (!announced) {
                listener.phase("Waiting up to " + SimulatorConfig.format(config.alertWait()) + " for the scenarios' alerts");
                announced = true;
            }
            Thread.sleep(200);
        }
        // A moment more so that an alert the scenarios did not expect, right behind the last one, is seen too.
        Thread.sleep(500);
    }

    private void awaitAcknowledgements(LoadEngine engine) throws InterruptedException {
        long outstanding = engine.inFlight();
        if (outstanding == 0) {
            return;
        }
        listener.phase(String.format(Locale.ROOT, "Waiting up to %d s for %,d outstanding acknowledgements",
                ACK_WAIT.toSeconds(), outstanding));
        long deadline = System.nanoTime() + ACK_WAIT.toNanos();
        while (engine.inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (engine.inFlight() > 0) {
            LOG.warn("{} messages still unacknowledged after {} s", engine.inFlight(), ACK_WAIT.toSeconds());
        }
    }

    // ---- progress and report ----

    private void progress(StatsCollector stats, long start, AlertFeeds feeds) {
        try {
            StatsCollector.Sample s = stats.sample(System.nanoTime() - start);
            Totals t = s.totals();
            listener.progress(new Progress(Duration.ofNanos(System.nanoTime() - start), t.connected(), t.sent(), t.acknowledged(),
                    t.errorCount(), t.inFlight(), s.interval().sent(), s.interval().acknowledged(), s.interval().p50Ms(),
                    s.interval().p99Ms(), feeds == null ? 0 : feeds.events().size()));
        } catch (RuntimeException e) {
            // A faulty listener must not stop the progress task (an exception would cancel it silently).
            LOG.warn("Progress listener failed", e);
        }
    }

    private SimulationReport report(Population population, List<SimulatedDevice> devices, StatsCollector stats, Duration elapsed,
            Instant startedAt, int connected, double connectSeconds, long heapPerConnection, List<ScenarioRun> scenarios,
            AlertFeeds feeds) {
        Totals t = stats.totals();
        LatencySummary puback = stats.latency();
        ScenarioJudge.Judgement judgement = ScenarioJudge.judge(scenarios, feeds == null ? List.of() : feeds.events());
        double seconds = Math.max(1e-9, elapsed.toNanos() / 1e9);
        Map<String, Long> errors = new LinkedHashMap<>();
        t.errors().forEach((k, v) -> errors.put(k.key(), v));
        int doctors = (int) devices.stream().mapToLong(SimulatedDevice::doctorId).filter(id -> id > 0).distinct().count();
        SimulationReport report = new SimulationReport(startedAt, setup(), machine(), devices.size(), population.patients().size(),
                doctors == 0 ? population.doctors().size() : doctors, connected > 0 ? connected : (int) t.connected(), connectSeconds,
                heapPerConnection, elapsed, t.offered(), t.sent(), t.acknowledged(), t.errorCount(), t.readingsSent(),
                t.readingsAcknowledged(), t.qos0Sent(), t.duplicates(), t.malformed(), t.bufferedUploads(),
                t.offered() / seconds, t.sent() / seconds, t.acknowledged() / seconds, errors, puback,
                judgement.alertLatency(), stats.series(), judgement.verdicts(), judgement.unexplained(),
                feeds == null ? 0 : feeds.events().size());
        config.reportDir().ifPresent(dir -> {
            JsonReport.write(report, dir.resolve("report.json"));
            HtmlReport.write(report, dir.resolve("report.html"));
            listener.phase("Wrote " + dir.resolve("report.json") + " and " + dir.resolve("report.html"));
        });
        return report;
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

    /** The serial itself when it fits; otherwise a per-run id, unique among this run's clients. */
    private String clientId(String serial, int index) {
        return serial.length() <= MAX_CLIENT_ID ? serial : runId + "-" + index;
    }

    /**
     * A well-mixed seed for the device at {@code index} of a run seeded with {@code runSeed}: the SplitMix64
     * finaliser, since adjacent seeds given straight to a generator start with correlated values.
     */
    static long deviceSeed(long runSeed, int index) {
        long z = runSeed + 0x9E3779B97F4A7C15L * (index + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
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
