package org.vigil.simulator;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Command-line arguments as {@code --name value} (or {@code --name=value}) pairs, with typed getters that
 * fall back to a default and throw {@link InvalidOptionException} naming the option on a bad value.
 */
final class Options {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private final Map<String, String> given;

    private Options(Map<String, String> given) {
        this.given = given;
    }

    /** @throws InvalidOptionException for an unknown, repeated or valueless option */
    static Options parse(Set<String> known, String... args) {
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
            if (!known.contains(name)) {
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
        return new Options(given);
    }

    boolean has(String option) {
        return given.containsKey(option);
    }

    String string(String option, String fallback) {
        return given.getOrDefault(option, fallback);
    }

    Optional<String> optional(String option) {
        return Optional.ofNullable(given.get(option));
    }

    int integer(String option, int fallback) {
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

    long longValue(String option, long fallback) {
        String text = given.get(option);
        return text == null ? fallback : longNumber(option, text);
    }

    OptionalLong optionalLong(String option) {
        String text = given.get(option);
        return text == null ? OptionalLong.empty() : OptionalLong.of(longNumber(option, text));
    }

    double decimal(String option, double fallback) {
        String text = given.get(option);
        if (text == null) {
            return fallback;
        }
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

    Duration duration(String option, Duration fallback) {
        String text = given.get(option);
        return text == null ? fallback : parseDuration(option, text);
    }

    URI uri(String option, URI fallback) {
        String text = given.get(option);
        if (text == null) {
            return fallback;
        }
        try {
            return new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new InvalidOptionException(option, "expected an http:// or https:// URL (was '" + text + "')");
        }
    }

    Optional<Path> path(String option) {
        String text = given.get(option);
        if (text == null) {
            return Optional.empty();
        }
        if (text.isBlank()) {
            throw new InvalidOptionException(option, "must not be empty");
        }
        try {
            return Optional.of(Path.of(text));
        } catch (InvalidPathException e) {
            throw new InvalidOptionException(option, "not a valid path (was '" + text + "')");
        }
    }

    /** Parses with {@code parser}, turning its {@link IllegalArgumentException} into one naming the option. */
    <T> T parsed(String option, T fallback, Function<String, T> parser) {
        String text = given.get(option);
        if (text == null) {
            return fallback;
        }
        try {
            return parser.apply(text.trim());
        } catch (InvalidOptionException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(option, e.getMessage());
        }
    }

    static Duration parseDuration(String option, String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new InvalidOptionException(option, "expected a whole number with a unit, e.g. 500ms, 10s, 5m, 1h or 2d (was '" + text + "')");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    private static long longNumber(String option, String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidOptionException(option, "expected a whole number (was '" + text + "')");
        }
    }
}
