package org.vigil.simulator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulation, start to finish: obtain devices (provision or read the devices file), connect them,
 * pace the publishes, wait for the last acknowledgements, disconnect, report. Every wait has a bound,
 * and the clients are closed on every path out.
 */
final class SimulationRun {

    private static final Logger LOG = LoggerFactory.getLogger(SimulationRun.class);

    /** Connecting in waves keeps a 2000-device start from arriving at the server as one burst. */
    private static final int CONNECT_WAVE = 100;
    private static final Duration CONNECT_WAVE_TIMEOUT = Duration.ofSeconds(15);
    static final Duration ACK_WAIT = Duration.ofSeconds(10);
    private static final long DISCONNECT_QUIESCE_MILLIS = 100;
    private static final Duration DISCONNECT_WAIT = Duration.ofSeconds(3);
    /** MQTT 3.1.1 servers need only accept client ids up to 23 characters (Vert.x enforces that). */
    private static final int MAX_CLIENT_ID = 23;
    private static final String RUN_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

    private final SimulatorConfig config;
    private final SimulationListener listener;
    /** Distinguishes this run's serials from any earlier run's, so provisioning twice never collides. */
    private final String runId;
    private final LoadStats stats = new LoadStats();

    SimulationRun(SimulatorConfig config, SimulationListener listener) {
        this.config = config;
        this.listener = listener;
        this.runId = randomRunId();
    }

    SimulationReport execute() throws InterruptedException {
        List<SimulatedDevice> devices = obtainDevices();
        ScheduledExecutorService pacerThread = Executors.newSingleThreadScheduledExecutor(Threads.daemon("sim-pacer"));
        // Progress gets its own thread: on the pacer's, a pacer running behind would starve it.
        ScheduledExecutorService progressThread = Executors.newSingleThreadScheduledExecutor(Threads.daemon("sim-progress"));
        ScheduledExecutorService pings = Executors.newSingleThreadScheduledExecutor(Threads.daemon("sim-ping"));
        List<DeviceClient> clients = new ArrayList<>(devices.size());
        Duration elapsed;
        try {
            for (int i = 0; i < devices.size(); i++) {
                SimulatedDevice d = devices.get(i);
                clients.add(new DeviceClient(d, clientId(d.serial(), i), config.mqttUri(), pings,
                        new ReadingGenerator(d.type(), ReadingGenerator.deviceSeed(config.seed(), i)),
                        config.qos(), config.batch(), stats));
            }
            connect(clients);
            elapsed = publish(clients, pacerThread, progressThread);
        } finally {
            pacerThread.shutdownNow();
            progressThread.shutdownNow();
            disconnect(clients);
            pings.shutdownNow();
        }
        return report(devices.size(), elapsed);
    }

    private List<SimulatedDevice> obtainDevices() throws InterruptedException {
        Population population = Population.plan(config.devices(), config.seed());
        if (config.devicesFile().isPresent() && Files.exists(config.devicesFile().get())) {
            Path file = config.devicesFile().get();
            List<SimulatedDevice> listed = DevicesFile.read(file, population::deviceType);
            if (listed.size() < config.devices()) {
                throw new InvalidOptionException("--devices", "asks for " + config.devices() + " devices but "
                        + file + " lists only " + listed.size() + " (lower --devices, or name a new --devices-file to provision)");
            }
            listener.phase("Reusing " + config.devices() + (config.devices() == 1 ? " device" : " devices") + " from " + file);
            return List.copyOf(listed.subList(0, config.devices()));
        }
        String token = config.token().orElseThrow(() -> new InvalidOptionException("--token",
                "required to provision devices, since " + config.devicesFile().map(Path::toString).orElse("no devices file")
                        + " does not exist yet"));
        long start = System.nanoTime();
        List<SimulatedDevice> devices;
        try (Provisioner provisioner = new Provisioner(config.api(), token)) {
            devices = provisioner.provision(population, i -> String.format(Locale.ROOT, "%s-%s-%04d", config.prefix(), runId, i));
        }
        String written = "";
        if (config.devicesFile().isPresent()) {
            DevicesFile.write(config.devicesFile().get(), devices);
            written = "; wrote " + config.devicesFile().get();
        }
        int doctors = population.doctors().size();
        listener.phase(String.format(Locale.ROOT, "Provisioned %d devices (%d %s, %d patients) via %s in %.1f s%s",
                devices.size(), doctors, doctors == 1 ? "doctor" : "doctors", population.patients().size(), config.api(),
                seconds(System.nanoTime() - start), written));
        return devices;
    }

    /** Connects every client or fails the run: a load test with silently missing devices would mislead. */
    private void connect(List<DeviceClient> clients) throws InterruptedException {
        long start = System.nanoTime();
        for (int from = 0; from < clients.size(); from += CONNECT_WAVE) {
            List<DeviceClient> wave = clients.subList(from, Math.min(clients.size(), from + CONNECT_WAVE));
            List<IMqttToken> tokens = new ArrayList<>(wave.size());
            for (DeviceClient c : wave) {
                try {
                    tokens.add(c.connect());
                } catch (MqttException e) {
                    throw connectFailure(c, e);
                }
            }
            long deadline = System.nanoTime() + CONNECT_WAVE_TIMEOUT.toNanos();
            for (int i = 0; i < wave.size(); i++) {
                IMqttToken token = tokens.get(i);
                try {
                    token.waitForCompletion(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (MqttException e) {
                    throw connectFailure(wave.get(i), e);
                }
                if (!token.isComplete()) {
                    throw new SimulatorException("device " + wave.get(i).device().serial() + " did not connect to "
                            + config.mqttUri() + " within " + CONNECT_WAVE_TIMEOUT.toSeconds() + " s");
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
        }
        listener.phase(String.format(Locale.ROOT, "Connected %d devices to %s in %.1f s",
                clients.size(), config.mqttUri(), seconds(System.nanoTime() - start)));
    }

    private SimulatorException connectFailure(DeviceClient c, MqttException e) {
        String hint = switch (e.getReasonCode()) {
            case MqttException.REASON_CODE_FAILED_AUTHENTICATION, MqttException.REASON_CODE_NOT_AUTHORIZED ->
                    " (is the device registered on this server? check --devices-file and --mqtt-host)";
            case MqttException.REASON_CODE_SERVER_CONNECT_ERROR, MqttException.REASON_CODE_CLIENT_TIMEOUT ->
                    " (is the server running? check --mqtt-host and --mqtt-port)";
            default -> "";
        };
        return new SimulatorException("device " + c.device().serial() + " could not connect to " + config.mqttUri()
                + ": " + e.getMessage() + " (reason " + e.getReasonCode() + ")" + hint, e);
    }

    /** Paces the publishes round-robin over the devices, then waits (bounded) for the last acks. */
    private Duration publish(List<DeviceClient> clients, ScheduledExecutorService pacerThread,
            ScheduledExecutorService progressThread) throws InterruptedException {
        long planned = config.plannedMessages();
        listener.phase(String.format(Locale.ROOT, "Publishing %s msg/s for %s (at most %,d messages, QoS %d, batch %d)",
                formatRate(config.rate()), formatDuration(config.duration()), planned, config.qos(), config.batch()));
        int n = clients.size();
        // Round-robin: device k%n sends message k, so each device publishes every n/rate seconds.
        Pacer pacer = new Pacer(pacerThread, config.rate(), config.duration(), planned,
                k -> clients.get((int) (k % n)).publish(), System::nanoTime);
        long start = System.nanoTime();
        ProgressMeter meter = new ProgressMeter(start);
        ScheduledFuture<?> progress = progressThread.scheduleAtFixedRate(meter::report, 1, 1, TimeUnit.SECONDS);
        Duration elapsed;
        try {
            elapsed = pacer.start().get();
        } catch (ExecutionException e) {
            throw new SimulatorException("pacing failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            try {
                pacer.stop();
            } catch (RejectedExecutionException ignored) {
                // already shut down
            }
            throw e;
        }
        awaitAcknowledgements();
        progress.cancel(false);
        return elapsed;
    }

    private void awaitAcknowledgements() throws InterruptedException {
        long outstanding = stats.outstanding();
        if (outstanding == 0) {
            return;
        }
        listener.phase(String.format(Locale.ROOT, "Waiting up to %d s for %,d outstanding acknowledgements",
                ACK_WAIT.toSeconds(), outstanding));
        long deadline = System.nanoTime() + ACK_WAIT.toNanos();
        // Sleep-polling: acks arrive on many Paho threads, and a 10 ms poll costs nothing next to that.
        while (stats.outstanding() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (stats.outstanding() > 0) {
            LOG.warn("{} messages still unacknowledged after {} s", stats.outstanding(), ACK_WAIT.toSeconds());
        }
    }

    /**
     * Disconnects politely in parallel, then closes every client, forcing it if the polite way did not
     * finish in time. Bounded: at most {@link #DISCONNECT_WAIT} plus a short forced close per client.
     */
    private void disconnect(List<DeviceClient> clients) {
        List<IMqttToken> tokens = new ArrayList<>(clients.size());
        for (DeviceClient c : clients) {
            tokens.add(c.disconnect(DISCONNECT_QUIESCE_MILLIS));
        }
        long deadline = System.nanoTime() + DISCONNECT_WAIT.toNanos();
        for (IMqttToken token : tokens) {
            if (token == null) {
                continue;
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                break;
            }
            try {
                token.waitForCompletion(left);
            } catch (MqttException e) {
                LOG.debug("Disconnect failed: {}", e.toString());
            }
        }
        for (DeviceClient c : clients) {
            c.close();
        }
    }

    private SimulationReport report(int devices, Duration elapsed) {
        Histogram latency = stats.totalLatency();
        long sent = stats.sent();
        double seconds = elapsed.toNanos() / 1e9;
        boolean anyAcks = latency.getTotalCount() > 0;
        return new SimulationReport(devices, sent, stats.acknowledged(), stats.failed(), stats.readings(), elapsed,
                sent / seconds,
                anyAcks ? latency.getValueAtPercentile(50) / 1000.0 : 0,
                anyAcks ? latency.getValueAtPercentile(99) / 1000.0 : 0);
    }

    /** The serial itself when it fits; otherwise a per-run id, unique among this run's clients. */
    private String clientId(String serial, int index) {
        return serial.length() <= MAX_CLIENT_ID ? serial : "sim-" + runId + "-" + index;
    }

    private static String randomRunId() {
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            id.append(RUN_ID_ALPHABET.charAt(random.nextInt(RUN_ID_ALPHABET.length())));
        }
        return id.toString();
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static String formatRate(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }

    private static String formatDuration(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** Builds the per-second progress snapshots; runs on the progress thread only. */
    private final class ProgressMeter {
        private final long start;
        private long lastNanos;
        private long lastSent;

        ProgressMeter(long start) {
            this.start = start;
            this.lastNanos = start;
        }

        void report() {
            long now = System.nanoTime();
            LoadStats.Counts counts = stats.counts();
            Histogram interval = stats.takeInterval();
            double rate = (counts.sent() - lastSent) / Math.max(1e-9, seconds(now - lastNanos));
            double p99 = interval.getTotalCount() > 0 ? interval.getValueAtPercentile(99) / 1000.0 : 0;
            lastSent = counts.sent();
            lastNanos = now;
            Progress p = new Progress(Duration.ofNanos(now - start), counts.sent(), counts.acknowledged(),
                    counts.failed(), counts.inFlight(), rate, p99);
            try {
                listener.progress(p);
            } catch (RuntimeException e) {
                // A faulty listener must not stop the progress task (an exception would cancel it silently).
                LOG.warn("Progress listener failed", e);
            }
        }
    }
}
