package org.vigil.chronic.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vigil.common.http.ApiException;
import org.vigil.common.model.Condition;

/**
 * Reads and checks the fields of {@link CareApi}'s request bodies (dates, measurements, actions, conditions, the
 * note), so the API class keeps to routes and the work behind them; each bad field is a 400 naming the field.
 */
final class CareBodies {

    private static final int NOTE_MAX = 2_000;
    /** What a follow-up may record as taken, with the metric range it must lie in. */
    static final Map<String, double[]> MEASUREMENTS = Map.of(
            "systolic_bp", new double[] {40, 300}, "diastolic_bp", new double[] {20, 200},
            "fasting_glucose", new double[] {0.5, 50}, "heart_rate", new double[] {20, 300},
            "body_weight", new double[] {1, 400}, "spo2", new double[] {50, 100});
    static final List<String> ACTIONS = List.of("medication_adjusted", "medication_started", "referred",
            "lifestyle_advice", "education", "none");

    private CareBodies() {
    }

    /** The optional free-text note, or null. */
    static String note(JsonObject body) {
        Object value = body.getValue("note");
        if (value != null && (!(value instanceof String n) || n.length() > NOTE_MAX)) {
            throw ApiException.invalid("note", "note must be text of at most " + NOTE_MAX + " characters");
        }
        return (String) value;
    }

    static LocalDate date(JsonObject body, String field, LocalDate fallback) {
        Object value = body.getValue(field);
        if (value == null) {
            return fallback;
        }
        LocalDate d = value instanceof String s ? plausibleDate(s) : null;
        if (d != null) {
            return d;
        }
        throw ApiException.invalid(field, field + " must be a date such as 2026-12-05");
    }

    /** The ISO date {@code raw} names when it lies in the years 1900 to 2199, else null. */
    static LocalDate plausibleDate(String raw) {
        try {
            LocalDate d = LocalDate.parse(raw);
            return d.getYear() >= 1900 && d.getYear() < 2200 ? d : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static JsonObject measurements(Object value) {
        if (value == null) {
            return new JsonObject();
        }
        if (!(value instanceof JsonObject given)) {
            throw ApiException.invalid("measurements", "measurements must be an object");
        }
        JsonObject out = new JsonObject();
        for (String name : given.fieldNames()) {
            double[] range = MEASUREMENTS.get(name);
            if (range == null) {
                throw ApiException.invalid("measurements." + name, "measurements may be "
                        + MEASUREMENTS.keySet().stream().sorted().toList());
            }
            if (!(given.getValue(name) instanceof Number n) || !Double.isFinite(n.doubleValue())
                    || n.doubleValue() < range[0] || n.doubleValue() > range[1]) {
                throw ApiException.invalid("measurements." + name, name + " must be a number from " + range[0]
                        + " to " + range[1]);
            }
            out.put(name, n.doubleValue());
        }
        if (out.containsKey("systolic_bp") != out.containsKey("diastolic_bp")) {
            throw ApiException.invalid("measurements", "systolic_bp and diastolic_bp go together");
        }
        return out;
    }

    static List<String> actions(Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof JsonArray array)) {
            throw ApiException.invalid("actions", "actions must be an array");
        }
        List<String> out = new ArrayList<>();
        for (Object o : array) {
            if (!(o instanceof String s) || !ACTIONS.contains(s)) {
                throw ApiException.invalid("actions", "actions must be among " + ACTIONS);
            }
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    static Set<Condition> conditions(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonArray array)) {
            throw ApiException.invalid("conditions", "conditions must be an array");
        }
        Set<Condition> out = EnumSet.noneOf(Condition.class);
        for (Object o : array) {
            Condition c = o instanceof String s ? Condition.NAMES.find(s) : null;
            if (c == null) {
                throw ApiException.invalid("conditions", "conditions must be among " + Condition.NAMES.allowed());
            }
            out.add(c);
        }
        return out;
    }
}
