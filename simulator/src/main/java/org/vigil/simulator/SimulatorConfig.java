package org.vigil.simulator;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.vigil.simulator.load.LoadEngine;
import org.vigil.simulator.load.LoadProfile;
import org.vigil.simulator.population.Behaviours;
import org.vigil.simulator.population.ConditionMix;
import org.vigil.simulator.scenario.Expectations;
import org.vigil.simulator.scenario.ScenarioKind;

/**
 * What one simulation run does; {@link #usage()} documents every option. Every field is checked when the
 * record is built, so a run never starts half-configured; a bad value throws {@link InvalidOptionException}
 * naming the command-line option.
 *
 * <p>The load is bounded by construction: it stops after {@code duration} (at most one hour, a day for a
 * soak) or after {@code maxMessages}, whichever comes first, and goes only to {@code mqttHost} (plus
 * {@code api} for provisioning and the alert feeds).
 *
 * @param mqttHost        MQTT host, the only one the load goes to ({@code --mqtt-host})
 * @param mqttPort        MQTT port ({@code --mqtt-port})
 * @param api             base URL of the Vigil REST API ({@code --api})
 * @param token           admin bearer token ({@code --token}); required unless {@code devicesFile} exists
 * @param client          MQTT client library ({@code --client})
 * @param loops           event loops for the Vert.x client ({@code --loops})
 * @param window          most unacknowledged QoS 1 messages per connection ({@code --window})
 * @param connectRate     new connections per second ({@code --connect-rate})
 * @param sourceAddresses local addresses to connect from ({@code --source-addresses}); empty: the system's choice
 * @param devices         simulated devices, i.e. MQTT connections ({@code --devices})
 * @param seed            seed for population, readings and behaviours ({@code --seed})
 * @param prefix          device serial prefix ({@code --prefix})
 * @param devicesFile     devices to reuse, or where to write the provisioned ones ({@code --devices-file})
 * @param mix             primary-condition mix ({@code --mix})
 * @param wearables       share of patients with a wearable ({@code --wearables})
 * @param comorbidity     share of patients with another primary condition who also have hypertension
 *                        ({@code --comorbidity})
 * @param workload        {@code load} (a rate profile) or {@code day} (patients' schedules) ({@code --workload})
 * @param profileName     steady, ramp, spike or soak ({@code --profile})
 * @param rate            the profile's rate, msg/s: steady and soak rate, ramp target, spike base ({@code --rate})
 * @param rampFrom        ramp start rate ({@code --ramp-from})
 * @param rampTime        ramp length; empty: the whole duration ({@code --ramp-time})
 * @param spikeRate       rate during the spike ({@code --spike-rate})
 * @param spikeAt         spike start ({@code --spike-at})
 * @param spikeLength     spike length ({@code --spike-length})
 * @param duration        how long to publish ({@code --duration})
 * @param maxMessages     bound on offered messages ({@code --max-messages})
 * @param qos             {@code 0}, {@code 1} or {@code mixed} ({@code --qos})
 * @param batch           entries per load-workload message ({@code --batch})
 * @param timeScale       simulated seconds per real second ({@code --time-scale})
 * @param simStart        simulated time of day at the start ({@code --sim-start})
 * @param behaviours      device imperfections ({@code --behaviours} and the share options)
 * @param scenarios       clinical scenarios to inject ({@code --scenarios})
 * @param expectations    the alert each scenario should produce ({@code --expect})
 * @param scenarioAt      when the scenarios start ({@code --scenario-at})
 * @param scenarioStep    time between a scenario's uploads ({@code --scenario-step})
 * @param alertWait       longest wait for expected alerts after publishing ({@code --alert-wait})
 * @param feeds           whether to listen to the doctors' alert feeds ({@code --feeds})
 * @param reportDir       where to write report.json and report.html ({@code --report-dir})
 */
public record SimulatorConfig(
        String mqttHost, int mqttPort, URI api, Optional<String> token,
        LoadEngine.Client client, int loops, int window, double connectRate, List<String> sourceAddresses,
        int devices, long seed, String prefix, Optional<Path> devicesFile, ConditionMix mix, double wearables,
        double comorbidity, Workload workload, String profileName, double rate, double rampFrom, Optional<Duration> rampTime,
        double spikeRate, Duration spikeAt, Duration spikeLength, Duration duration, OptionalLong maxMessages,
        QosMode qos, int batch, double timeScale, LocalTime simStart, Behaviours behaviours,
        List<ScenarioKind> scenarios, Expectations expectations, Duration scenarioAt, Duration scenarioStep,
        Duration alertWait, boolean feeds, Optional<Path> reportDir) {

    /** What drives the traffic. */
    public enum Workload {
        /** A rate profile over round-robin devices: capacity and throughput tests. */
        LOAD,
        /** The patients' daily schedules in simulated time: a realistic day, its morning connect storm included. */
        DAY
    }

    /** Which QoS the devices publish at. */
    public enum QosMode {
        AT_MOST_ONCE, AT_LEAST_ONCE,
        /** Wearables stream at QoS 0, home devices send at QoS 1, as in the field. */
        MIXED
    }

    /** Each Paho client runs its own receiver, sender and callback threads, so thousands of them hurt. */
    public static final int MAX_PAHO_DEVICES = 2000;
    /** The Vert.x client shares a few event loops; the bound is file descriptors and ephemeral ports. */
    public static final int MAX_VERTX_DEVICES = 200_000;
    /** Total messages per second; beyond this the simulator, not the server, is measured. */
    public static final double MAX_RATE = 500_000;
    /** Longest run; a forgotten simulator must not load a server indefinitely. */
    public static final Duration MAX_DURATION = Duration.ofHours(1);
    /** Longest soak. */
    public static final Duration MAX_SOAK_DURATION = Duration.ofHours(24);
    /** Entries per message; 1000 stay well inside the server's message size and reading limits. */
    public static final int MAX_BATCH = 1000;
    /** Entries one device can carry per second: its entries need distinct millisecond timestamps. */
    public static final int MAX_ENTRIES_PER_DEVICE_PER_SECOND = 1000;
    /** Long enough to tell runs apart, short enough that serials fit MQTT's classic 23-character client id. */
    public static final int MAX_PREFIX_LENGTH = 11;
    /** Payload timestamps are real; more compression would put days of schedule into seconds for no use. */
    public static final double MAX_TIME_SCALE = 86_400;

    public static final String DEFAULT_MQTT_HOST = "127.0.0.1";
    public static final int DEFAULT_MQTT_PORT = 1883;
    public static final URI DEFAULT_API = URI.create("http://127.0.0.1:8080");
    public static final int DEFAULT_DEVICES = 10;
    public static final double DEFAULT_RATE = 100;
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);
    public static final int DEFAULT_BATCH = 1;
    public static final long DEFAULT_SEED = 42;
    public static final String DEFAULT_PREFIX = "sim";
    public static final int DEFAULT_LOOPS = 2;
    public static final int DEFAULT_WINDOW = 32;
    public static final double DEFAULT_CONNECT_RATE = 2000;

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._:-]+");
    public SimulatorConfig {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(maxMessages, "maxMessages");
        Objects.requireNonNull(devicesFile, "devicesFile");
        Objects.requireNonNull(reportDir, "reportDir");
        sourceAddresses = List.copyOf(sourceAddresses);
        scenarios = List.copyOf(scenarios);
        if (mqttHost == null || mqttHost.isBlank()) {
            throw new InvalidOptionException("--mqtt-host", "must not be empty");
        }
        if (mqttPort < 1 || mqttPort > 65535) {
            throw new InvalidOptionException("--mqtt-port", "must be between 1 and 65535 (was " + mqttPort + ")");
        }
        if (api == null || api.getHost() == null
                || !("http".equalsIgnoreCase(api.getScheme()) || "https".equalsIgnoreCase(api.getScheme()))) {
            throw new InvalidOptionException("--api", "expected an http:// or https:// URL with a host (was '" + api + "')");
        }
        if (token.isPresent() && token.get().isBlank()) {
            throw new InvalidOptionException("--token", "must not be empty");
        }
        if (token.isEmpty() && devicesFile.isEmpty()) {
            throw new InvalidOptionException("--token", "required to provision devices (or pass --devices-file to reuse devices)");
        }
        int maxDevices = client == LoadEngine.Client.PAHO ? MAX_PAHO_DEVICES : MAX_VERTX_DEVICES;
        if (devices < 1 || devices > maxDevices) {
            throw new InvalidOptionException("--devices", "must be between 1 and " + maxDevices
                    + (client == LoadEngine.Client.PAHO ? " with --client paho (each Paho client costs threads; use --client vertx for more)" : "")
                    + " (was " + devices + ")");
        }
        if (loops < 1 || loops > 64) {
            throw new InvalidOptionException("--loops", "must be between 1 and 64 (was " + loops + ")");
        }
        if (window < 1 || window > 1000) {
            throw new InvalidOptionException("--window", "must be between 1 and 1000 (was " + window + ")");
        }
        if (!(connectRate > 0) || connectRate > 100_000) {
            throw new InvalidOptionException("--connect-rate", "must be greater than 0 and at most 100000 per second");
        }
        if (prefix == null || prefix.length() > MAX_PREFIX_LENGTH || !PREFIX.matcher(prefix).matches()) {
            throw new InvalidOptionException("--prefix", "must be 1 to " + MAX_PREFIX_LENGTH
                    + " letters, digits or . _ : - (was '" + prefix + "')");
        }
        requireShare("--wearables", wearables);
        requireShare("--comorbidity", comorbidity);
        if (!(rate > 0) || rate > MAX_RATE) {
            throw new InvalidOptionException("--rate", "must be greater than 0 and at most " + (long) MAX_RATE
                    + " messages/s (was " + rate + ")");
        }
        Duration maxDuration = "soak".equals(profileName) ? MAX_SOAK_DURATION : MAX_DURATION;
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero() || duration.compareTo(maxDuration) > 0) {
            throw new InvalidOptionException("--duration", "must be greater than 0 and at most "
                    + (maxDuration.equals(MAX_DURATION) ? "1h (24h with --profile soak)" : "24h") + " (was " + format(duration) + ")");
        }
        if (maxMessages.isPresent() && maxMessages.getAsLong() < 1) {
            throw new InvalidOptionException("--max-messages", "must be at least 1 (was " + maxMessages.getAsLong() + ")");
        }
        if (batch < 1 || batch > MAX_BATCH) {
            throw new InvalidOptionException("--batch", "must be between 1 and " + MAX_BATCH + " (was " + batch + ")");
        }
        if (!(timeScale >= 1) || timeScale > MAX_TIME_SCALE) {
            throw new InvalidOptionException("--time-scale", "must be between 1 and " + (long) MAX_TIME_SCALE + " (was " + timeScale + ")");
        }
        if (scenarioStep.isNegative() || scenarioStep.isZero()) {
            throw new InvalidOptionException("--scenario-step", "must be greater than 0");
        }
        if (!scenarios.isEmpty() && token.isEmpty()) {
            throw new InvalidOptionException("--scenarios", "need --token: scenarios pick their patients and listen to alert feeds through the API");
        }
        if (feeds && token.isEmpty()) {
            throw new InvalidOptionException("--feeds", "on needs --token");
        }
        LoadProfile profile = profileOf(profileName, rate, rampFrom, rampTime.orElse(duration), spikeRate, spikeAt, spikeLength);
        if (workload == Workload.LOAD) {
            double entriesPerDevice = profile.peakRate(duration.toNanos() / 1e9) * batch / devices;
            if (entriesPerDevice > MAX_ENTRIES_PER_DEVICE_PER_SECOND) {
                throw new InvalidOptionException("--rate", String.format(Locale.ROOT,
                        "a peak of %s messages/s x --batch %d over --devices %d is %.0f entries per device per second; at most %d"
                                + " fit, since a device's entries need distinct millisecond timestamps (add devices or"
                                + " lower --rate or --batch)",
                        number(profile.peakRate(duration.toNanos() / 1e9)), batch, devices, entriesPerDevice,
                        MAX_ENTRIES_PER_DEVICE_PER_SECOND));
            }
        }
    }

    /** The offered rate over time (for the load workload). */
    public LoadProfile profile() {
        return profileOf(profileName, rate, rampFrom, rampTime.orElse(duration), spikeRate, spikeAt, spikeLength);
    }

    /**
     * Messages the load workload will offer: the profile's integral over {@code duration}, or
     * {@code maxMessages} if that is fewer.
     */
    public long plannedMessages() {
        // The small epsilon keeps 0.3 msg/s x 10 s at 3 messages, not 4 through rounding error.
        long byTime = Math.max(1, (long) Math.ceil(profile().messagesBy(duration.toNanos() / 1e9) - 1e-9));
        return maxMessages.isPresent() ? Math.min(byTime, maxMessages.getAsLong()) : byTime;
    }

    /** The MQTT server URI for Paho, e.g. {@code tcp://127.0.0.1:1883}. */
    public String mqttUri() {
        String host = mqttHost.contains(":") && !mqttHost.startsWith("[") ? "[" + mqttHost + "]" : mqttHost;
        return "tcp://" + host + ":" + mqttPort;
    }

    /**
     * Builds a configuration from {@code --name value} (or {@code --name=value}) arguments; options not
     * given take their defaults.
     *
     * @throws InvalidOptionException naming the option that is unknown, repeated, missing its value or invalid
     */
    public static SimulatorConfig parse(String... args) {
        return CommandLine.parse(args);
    }

    /** Parses a duration such as {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h} or {@code 2d}. */
    public static Duration parseDuration(String option, String text) {
        return Options.parseDuration(option, text);
    }

    /** The command-line help text. */
    public static String usage() {
        try (var in = SimulatorConfig.class.getResourceAsStream("usage.txt")) {
            return new String(Objects.requireNonNull(in, "usage.txt").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static LoadProfile profileOf(String name, double rate, double rampFrom, Duration rampTime, double spikeRate,
            Duration spikeAt, Duration spikeLength) {
        try {
            return switch (name) {
                case "ramp" -> new LoadProfile.Ramp(rampFrom, rate, rampTime.toNanos() / 1e9);
                case "spike" -> new LoadProfile.Spike(rate, spikeRate, spikeAt.toNanos() / 1e9, spikeLength.toNanos() / 1e9);
                case "soak" -> new LoadProfile.Soak(rate, 0.1, 600);
                default -> new LoadProfile.Steady(rate);
            };
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException("--profile", e.getMessage());
        }
    }

    private static void requireShare(String option, double share) {
        if (!(share >= 0 && share <= 1)) {
            throw new InvalidOptionException(option, "must be a share between 0 and 1 (was " + share + ")");
        }
    }

    static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
    }
}
