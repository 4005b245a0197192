package org.vigil.alerting.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/**
 * Reads one typed field of the clinical rules document, or fails naming its place ({@code where}, such as
 * {@code rules[3].bands[0]}) and what it must be. {@link ClinicalRulesConfig} reads the document's structure and
 * checks the rules against each other; this class is the field-level half, so every field error reads alike.
 */
final class RuleFields {

    private RuleFields() {
    }

    static Severity severity(JsonObject o, String where) {
        try {
            return Severity.fromWire(text(o, "severity", where));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ".severity", "must be warning or critical");
        }
    }

    static Metric metric(JsonObject o, String field, String where) {
        Metric metric = Metric.byName(text(o, field, where));
        if (metric == null) {
            throw new ConfigException(where + "." + field, "unknown metric " + o.getValue(field));
        }
        return metric;
    }

    static double number(JsonObject o, String field, String where) {
        if (o.getValue(field) instanceof Number n) {
            return n.doubleValue();
        }
        throw new ConfigException(where + "." + field, "must be a number");
    }

    static int integer(JsonObject o, String field, String where, int fallback) {
        Object value = o.getValue(field);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.intValue();
        }
        throw new ConfigException(where + "." + field, "must be a whole number");
    }

    static Duration required(JsonObject o, String field, String where) {
        if (o.getValue(field) == null) {
            throw new ConfigException(where + "." + field, "is required");
        }
        return duration(o, field, where + "." + field, null);
    }

    /** A duration in the configuration's notation (30s, 15m, 2h, 7d, PT15M), parsed as {@link Settings} does. */
    static Duration duration(JsonObject o, String field, String name, Duration fallback) {
        Object value = o.getValue(field);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof String s)) {
            throw new ConfigException(name, "must be a duration such as 30s, 15m, 2h or 7d");
        }
        return Settings.of(Map.of(name, s)).duration(name, fallback);
    }

    static JsonObject object(Object value, String where) {
        if (value instanceof JsonObject o) {
            return o;
        }
        throw new ConfigException(where, "must be an object");
    }

    static JsonArray array(Object value, String where) {
        if (value instanceof JsonArray a) {
            return a;
        }
        throw new ConfigException(where, "must be an array");
    }

    /**
     * Reads an array of objects in order, each with {@code read}, which is given the object and its place
     * ({@code where[i]}) for its errors.
     */
    static <T> List<T> objects(Object value, String where, BiFunction<JsonObject, String, T> read) {
        JsonArray array = array(value, where);
        List<T> items = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            String at = where + "[" + i + "]";
            items.add(read.apply(object(array.getValue(i), at), at));
        }
        return items;
    }

    /** Like {@link #objects}, for an array that must hold at least one {@code what}. */
    static <T> List<T> atLeastOne(Object value, String where, String what, BiFunction<JsonObject, String, T> read) {
        if (array(value, where).isEmpty()) {
            throw new ConfigException(where, "needs at least one " + what);
        }
        return objects(value, where, read);
    }

    static String text(JsonObject o, String field, String where) {
        if (o.getValue(field) instanceof String s && !s.isBlank()) {
            return s;
        }
        throw new ConfigException(where + "." + field, "is required");
    }
}
