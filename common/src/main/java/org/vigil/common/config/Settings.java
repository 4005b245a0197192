package org.vigil.common.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The raw key/value settings every module reads its configuration record from.
 *
 * <p>Values are layered once at start: built-in defaults (given by each module's record), then the
 * optional properties file named by {@code VIGIL_CONFIG_FILE}, then the process environment. Keys are
 * the environment-variable names ({@code VIGIL_MQTT_PORT}), so the file and the environment speak the
 * same language and docs/configuration.md documents each key once. Typed accessors validate and fail with a
 * {@link ConfigException} that names the key.
 */
public final class Settings {

    public static final String CONFIG_FILE = "VIGIL_CONFIG_FILE";
    public static final String NODE_ID = "VIGIL_NODE_ID";
    private static final int NODE_ID_MAX = 100;

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** Settings from an explicit map, as tests and embedders build them. */
    public static Settings of(Map<String, String> values) {
        return new Settings(values);
    }

    /** Settings from the given environment, overlaid on the file it names in {@code VIGIL_CONFIG_FILE}. */
    public static Settings fromEnvironment(Map<String, String> environment) {
        Map<String, String> merged = new HashMap<>();
        String file = environment.get(CONFIG_FILE);
        if (file != null && !file.isBlank()) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(Path.of(file))) {
                properties.load(reader);
            } catch (IOException e) {
                throw new ConfigException(CONFIG_FILE, "cannot read " + file + " (" + e.getMessage() + ")");
            }
            properties.stringPropertyNames().forEach(k -> merged.put(k, properties.getProperty(k).trim()));
        }
        environment.forEach((k, v) -> {
            if (k.startsWith("VIGIL_")) {
                merged.put(k, v);
            }
        });
        return new Settings(merged);
    }

    /** A copy with one more value, overriding what was there. */
    public Settings with(String key, String value) {
        Map<String, String> copy = new HashMap<>(values);
        copy.put(key, value);
        return new Settings(copy);
    }

    public Optional<String> optional(String key) {
        String value = values.get(key);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public String string(String key, String defaultValue) {
        return optional(key).orElse(defaultValue);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(raw.get());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "not a whole number: '" + raw.get() + "'");
        }
        if (value < min || value > max) {
            throw new ConfigException(key, value + " is outside " + min + ".." + max);
        }
        return value;
    }

    public boolean bool(String key, boolean defaultValue) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase()) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new ConfigException(key, "expected true or false, got '" + raw.get() + "'");
        };
    }

    /**
     * A duration written as ISO-8601 ({@code PT15M}) or as a number with a unit suffix:
     * {@code 250ms}, {@code 30s}, {@code 15m}, {@code 2h}, {@code 30d}.
     */
    public Duration duration(String key, Duration defaultValue) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        Duration parsed = parseDuration(raw.get());
        if (parsed == null || parsed.isNegative()) {
            throw new ConfigException(key, "expected a duration such as 250ms, 30s, 15m, 2h, 30d or PT15M, got '"
                    + raw.get() + "'");
        }
        return parsed;
    }

    /** As {@link #duration(String, Duration)}, refusing a value below {@code least} ("must be at least 10ms"). */
    public Duration duration(String key, Duration defaultValue, Duration least) {
        Duration value = duration(key, defaultValue);
        if (value.compareTo(least) < 0) {
            throw new ConfigException(key, "must be at least " + least.toMillis() + "ms");
        }
        return value;
    }

    /**
     * This node's name among the nodes sharing a database ({@code VIGIL_NODE_ID}), the host name by default: stable
     * across restarts of the service; two nodes on one host must each set it.
     *
     * @throws ConfigException unless it has 1 to 100 characters (as much as the tables that name nodes keep)
     */
    public String nodeId() {
        String id = optional(NODE_ID).orElseGet(() -> {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                return "vigil";
            }
        });
        if (id.isBlank() || id.length() > NODE_ID_MAX) {
            throw new ConfigException(NODE_ID, "1 to " + NODE_ID_MAX + " characters");
        }
        return id;
    }

    public Path path(String key, Path defaultValue) {
        return optional(key).map(Path::of).orElse(defaultValue);
    }

    private static Duration parseDuration(String text) {
        String s = text.trim().toLowerCase();
        try {
            if (s.startsWith("p")) {
                return Duration.parse(s.toUpperCase());
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            long amount = Long.parseLong(s.substring(0, s.length() - 1));
            return switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> null;
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            return null;
        }
    }
}
