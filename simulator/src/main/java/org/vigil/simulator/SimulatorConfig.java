package org.vigil.simulator;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one simulation run does. Every field is checked when the record is built, so a run never starts
 * half-configured; a bad value throws {@link InvalidOptionException} naming the command-line option.
 *
 * <p>The load is bounded by construction: it stops after {@code duration} (at most one hour) or after
 * {@code maxMessages}, whichever comes first, and goes only to {@code mqttHost} (plus {@code api} while
 * provisioning).
 *
 * @param mqttHost     MQTT host to publish to ({@code --mqtt-host})
 * @param mqttPort     MQTT port ({@code --mqtt-port})
 * @param api          base URL of the Vigil REST API, used only to provision devices ({@code --api})
 * @param token        admin bearer token for provisioning ({@code --token}); required unless
 *                     {@code devicesFile} is given
 * @param devices      number of simulated devices, 1..{@value #MAX_DEVICES} ({@code --devices})
 * @param rate         total messages per second across all devices ({@code --rate})
 * @param duration     how long to publish, at most one hour ({@code --duration})
 * @param maxMessages  optional bound on publish attempts ({@code --max-messages})
 * @param qos          MQTT QoS, 0 or 1 ({@code --qos})
 * @param batch        reading entries per message, 1..{@value #MAX_BATCH} ({@code --batch})
 * @param seed         seed for the patient mix and the readings ({@code --seed})
 * @param prefix       device serial prefix ({@code --prefix})
 * @param devicesFile  devices to reuse, or where to write the provisioned ones ({@code --devices-file})
 */
public record SimulatorConfig(
        String mqttHost,
        int mqttPort,
        URI api,
        Optional<String> token,
        int devices,
        double rate,
        Duration duration,
        OptionalLong maxMessages,
        int qos,
        int batch,
        long seed,
        String prefix,
        Optional<Path> devicesFile) {

    /** Each Paho client runs its own receiver, sender and callback threads, so thousands of them hurt. */
    public static final int MAX_DEVICES = 2000;
    /** Total messages per second; beyond this the single pacer thread, not the server, is measured. */
    public static final double MAX_RATE = 100_000;
    /** Longest run; a forgotten simulator must not load a server indefinitely. */
    public static final Duration MAX_DURATION = Duration.ofHours(1);
    /** Entries per message; 1000 entries stay well inside the server's message size and reading limits. */
    public static final int MAX_BATCH = 1000;
    /**
     * Entries one device can carry per second. The server keys readings by device, metric and millisecond,
     * so a device sending more would have to repeat a timestamp (stored once) or run its clock ahead.
     */
    public static final int MAX_ENTRIES_PER_DEVICE_PER_SECOND = 1000;
    /** Long enough to tell runs apart, short enough that serials fit MQTT's classic 23-character client id. */
    public static final int MAX_PREFIX_LENGTH = 11;

    public static final String DEFAULT_MQTT_HOST = "127.0.0.1";
    public static final int DEFAULT_MQTT_PORT = 1883;
    public static final URI DEFAULT_API = URI.create("http://127.0.0.1:8080");
    public static final int DEFAULT_DEVICES = 10;
    public static final double DEFAULT_RATE = 100;
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);
    public static final int DEFAULT_QOS = 1;
    public static final int DEFAULT_BATCH = 1;
    public static final long DEFAULT_SEED = 42;
    public static final String DEFAULT_PREFIX = "sim";

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._:-]+");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    private static final Set<String> OPTIONS = Set.of("--mqtt-host", "--mqtt-port", "--api", "--token",
            "--devices", "--rate", "--duration", "--max-messages", "--qos", "--batch", "--seed", "--prefix",
            "--devices-file");

    public SimulatorConfig {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(maxMessages, "maxMessages");
        Objects.requireNonNull(devicesFile, "devicesFile");
        if (mqttHost == null || mqttHost.isBlank()) {
            throw new InvalidOptionException("--mqtt-host", "must not be empty");
        }
        if (mqttPort < 1 || mqttPort > 65535) {
            throw new InvalidOptionException("--mqtt-port", "must be between 1 and 65535 (was " + mqttPort + ")");
        }
        checkApi(api);
        if (token.isPresent() && token.get().isBlank()) {
            throw new InvalidOptionException("--token", "must not be empty");
        }
        if (token.isEmpty() && devicesFile.isEmpty()) {
            throw new InvalidOptionException("--token", "required to provision devices (or pass --devices-file to reuse devices)");
        }
        if (devices < 1 || devices > MAX_DEVICES) {
            throw new InvalidOptionException("--devices", "must be between 1 and " + MAX_DEVICES
                    + " (each Paho client costs threads) (was " + devices + ")");
        }
        if (!(rate > 0) || rate > MAX_RATE) {
            throw new InvalidOptionException("--rate", "must be greater than 0 and at most " + (long) MAX_RATE
                    + " messages/s (was " + rate + ")");
        }
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
            throw new InvalidOptionException("--duration", "must be greater than 0 and at most 1h (was "
                    + (duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms") + ")");
        }
        if (maxMessages.isPresent() && maxMessages.getAsLong() < 1) {
            throw new InvalidOptionException("--max-messages", "must be at least 1 (was " + maxMessages.getAsLong() + ")");
        }
        if (qos != 0 && qos != 1) {
            throw new InvalidOptionException("--qos", "must be 0 or 1 (was " + qos + ")");
        }
        if (batch < 1 || batch > MAX_BATCH) {
            throw new InvalidOptionException("--batch", "must be between 1 and " + MAX_BATCH + " (was " + batch + ")");
        }
        if (prefix == null || prefix.length() > MAX_PREFIX_LENGTH || !PREFIX.matcher(prefix).matches()) {
            throw new InvalidOptionException("--prefix", "must be 1 to " + MAX_PREFIX_LENGTH
                    + " letters, digits or . _ : - (was '" + prefix + "')");
        }
        double entriesPerDevice = rate * batch / devices;
        if (entriesPerDevice > MAX_ENTRIES_PER_DEVICE_PER_SECOND) {
            throw new InvalidOptionException("--rate", String.format(Locale.ROOT,
                    "%s messages/s x --batch %d over --devices %d is %.0f entries per device per second; at most %d"
                            + " fit, since a device's entries need distinct millisecond timestamps (add devices or"
                            + " lower --rate or --batch)",
                    number(rate), batch, devices, entriesPerDevice, MAX_ENTRIES_PER_DEVICE_PER_SECOND));
        }
    }

    /**
     * Builds a configuration from {@code --name value} (or {@code --name=value}) arguments; options not
     * given take their defaults.
     *
     * @throws InvalidOptionException naming the option that is unknown, repeated, missing its value or invalid
     */
    public static SimulatorConfig parse(String... args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (!OPTIONS.contains(name)) {
                throw new InvalidOptionException(name, arg.startsWith("-") ? "unknown option" : "unexpected argument (options are --name value)");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new InvalidOptionException(name, "needs a value");
                }
                value = args[++i];
            }
            if (given.put(name, value) != null) {
                throw new InvalidOptionException(name, "given more than once");
            }
        }
        return new SimulatorConfig(
                given.getOrDefault("--mqtt-host", DEFAULT_MQTT_HOST),
                intOption(given, "--mqtt-port", DEFAULT_MQTT_PORT),
                given.containsKey("--api") ? uri("--api", given.get("--api")) : DEFAULT_API,
                Optional.ofNullable(given.get("--token")),
                intOption(given, "--devices", DEFAULT_DEVICES),
                given.containsKey("--rate") ? decimal("--rate", given.get("--rate")) : DEFAULT_RATE,
                given.containsKey("--duration") ? parseDuration("--duration", given.get("--duration")) : DEFAULT_DURATION,
                given.containsKey("--max-messages")
                        ? OptionalLong.of(longNumber("--max-messages", given.get("--max-messages")))
                        : OptionalLong.empty(),
                intOption(given, "--qos", DEFAULT_QOS),
                intOption(given, "--batch", DEFAULT_BATCH),
                given.containsKey("--seed") ? longNumber("--seed", given.get("--seed")) : DEFAULT_SEED,
                given.getOrDefault("--prefix", DEFAULT_PREFIX),
                given.containsKey("--devices-file") ? Optional.of(path("--devices-file", given.get("--devices-file")))
                        : Optional.empty());
    }

    /**
     * Parses a duration written as a whole number and a unit: {@code 500ms}, {@code 10s}, {@code 5m} or
     * {@code 1h}.
     *
     * @param option named in the error message
     */
    public static Duration parseDuration(String option, String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new InvalidOptionException(option, "expected a whole number with a unit, e.g. 500ms, 10s, 5m or 1h (was '" + text + "')");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /**
     * Messages the run will attempt: one every {@code 1/rate} seconds within {@code duration}, or
     * {@code maxMessages} if that is fewer.
     */
    public long plannedMessages() {
        // The small epsilon keeps 0.3 msg/s x 10 s at 3 messages, not 4 through rounding error.
        double seconds = duration.toNanos() / 1e9;
        long byTime = Math.max(1, (long) Math.ceil(rate * seconds - 1e-9));
        return maxMessages.isPresent() ? Math.min(byTime, maxMessages.getAsLong()) : byTime;
    }

    /** The MQTT server URI for Paho, e.g. {@code tcp://127.0.0.1:1883}. */
    public String mqttUri() {
        String host = mqttHost.contains(":") && !mqttHost.startsWith("[") ? "[" + mqttHost + "]" : mqttHost;
        return "tcp://" + host + ":" + mqttPort;
    }

    /** The command-line help text. */
    public static String usage() {
        return """
                Usage: java -jar vigil-simulator.jar [options]

                Registers simulated home devices with a Vigil server (or reuses registered ones) and
                publishes realistic vital-sign readings over MQTT at a fixed total rate for a fixed time,
                then reports the achieved rate and how many publishes were acknowledged.

                Options [default]:
                  --mqtt-host HOST     MQTT host; the only host the load goes to [127.0.0.1]
                  --mqtt-port PORT     MQTT port [1883]
                  --api URL            Vigil REST API, used only to provision devices [http://127.0.0.1:8080]
                  --token TOKEN        admin bearer token; required unless --devices-file names
                                       an existing file
                  --devices N          simulated devices, 1..2000 [10]. Each device is its own Paho
                                       client with about 3 threads, hence the cap; use several
                                       processes for more
                  --rate R             total messages per second across all devices, up to 100000 [100];
                                       at most 1000 entries per device per second (rate x batch / devices)
                  --duration D         how long to publish: 500ms, 10s, 5m or 1h; at most 1h [10s]
                  --max-messages N     stop after N publishes even if time remains [no limit]
                  --qos Q              0 or 1 [1]; with 0, "acknowledged" means written to the socket
                  --batch N            reading entries per message, 1..1000 [1]; more than 1 simulates
                                       a wearable uploading readings buffered 1 s apart
                  --seed S             seed for the patient mix and the readings [42]
                  --prefix P           device serial prefix, up to 11 letters, digits or . _ : - [sim]
                  --devices-file PATH  reuse the devices listed there (lines serial,secret[,type]);
                                       if the file does not exist, provision and write it (mode 600)
                  --help               show this text

                The run always stops by itself: after --duration or --max-messages, whichever comes first.
                Exit status: 0 when every sent message was acknowledged, 1 otherwise or on a runtime
                error, 2 on bad arguments.
                """;
    }

    private static void checkApi(URI api) {
        if (api == null || api.getHost() == null
                || !("http".equalsIgnoreCase(api.getScheme()) || "https".equalsIgnoreCase(api.getScheme()))) {
            throw new InvalidOptionException("--api", "expected an http:// or https:// URL with a host (was '" + api + "')");
        }
    }

    private static int intOption(Map<String, String> given, String option, int fallback) {
        String text = given.get(option);
        if (text == null) {
            return fallback;
        }
        long value = longNumber(option, text);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new InvalidOptionException(option, "out of range (was " + text + ")");
        }
        return (int) value;
    }

    private static long longNumber(String option, String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidOptionException(option, "expected a whole number (was '" + text + "')");
        }
    }

    private static double decimal(String option, String text) {
        try {
            double value = Double.parseDouble(text.trim());
            if (!Double.isFinite(value)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new InvalidOptionException(option, "expected a number (was '" + text + "')");
        }
    }

    private static URI uri(String option, String text) {
        try {
            return new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new InvalidOptionException(option, "expected an http:// or https:// URL (was '" + text + "')");
        }
    }

    private static Path path(String option, String text) {
        if (text.isBlank()) {
            throw new InvalidOptionException(option, "must not be empty");
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new InvalidOptionException(option, "not a valid path (was '" + text + "')");
        }
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
