package org.vigil.alerting.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.vigil.alerting.clinical.Band;
import org.vigil.alerting.clinical.ClinicalEngine;
import org.vigil.alerting.clinical.ClinicalRules;
import org.vigil.alerting.clinical.ExpectedMeasurement;
import org.vigil.alerting.clinical.PatientProfile;
import org.vigil.common.care.CarePlanCheck;
import org.vigil.common.config.ConfigException;
import org.vigil.common.http.ApiException;
import org.vigil.common.model.Metric;

/**
 * A patient's care plan as the registry stores it, read into what the rule engine uses:
 * <pre>{@code
 * {"expected":   [{"metric": "systolic_bp", "every": "PT12H", "grace": "PT6H"}, {"metric": "body_weight", "every": "P1D"}],
 *  "thresholds": {"bp_threshold": [{"severity": "critical", "anyOf": [{"metric": "systolic_bp", "op": ">=", "value": 170}]}]}}
 * }</pre>
 * Thresholds replace the bands of a threshold or sustained rule, in the rules file's form. It also checks plans
 * for the registry ({@link CarePlanCheck}), against the same rules the engine runs.
 */
public final class CarePlans implements CarePlanCheck {

    /** What a plan says, read. */
    public record Plan(Map<String, List<Band>> overrides, List<ExpectedMeasurement> expected) {
        public static final Plan NONE = new Plan(Map.of(), List.of());
    }

    private final ClinicalEngine engine;

    public CarePlans(ClinicalRules rules) {
        // Only validate() is used: it reads the rule index, never patient state, so sharing it is safe.
        this.engine = new ClinicalEngine(Objects.requireNonNull(rules, "rules"));
    }

    /**
     * Reads a stored plan.
     *
     * @throws ConfigException naming the place in the plan that is wrong
     */
    public static Plan read(JsonObject plan) {
        List<ExpectedMeasurement> expected = new ArrayList<>();
        Object e = plan.getValue("expected");
        if (e != null) {
            if (!(e instanceof JsonArray array)) {
                throw new ConfigException("expected", "must be an array");
            }
            for (int i = 0; i < array.size(); i++) {
                expected.add(expectation(array.getValue(i), "expected[" + i + "]"));
            }
        }
        Map<String, List<Band>> overrides = new LinkedHashMap<>();
        Object t = plan.getValue("thresholds");
        if (t != null) {
            if (!(t instanceof JsonObject thresholds)) {
                throw new ConfigException("thresholds", "must be an object of rule id to bands");
            }
            for (String rule : thresholds.fieldNames()) {
                overrides.put(rule, ClinicalRulesConfig.bands(thresholds.getValue(rule), "thresholds." + rule));
            }
        }
        return new Plan(overrides, expected);
    }

    @Override
    public void check(JsonObject plan) {
        try {
            Plan read = read(plan);
            engine.validate(new PatientProfile(0, Set.of(), read.overrides(), read.expected(), Instant.EPOCH));
        } catch (ConfigException ex) {
            throw ApiException.invalid(ex.key(), ex.getMessage());
        } catch (IllegalArgumentException ex) {
            String message = ex.getMessage() == null ? "invalid care plan" : ex.getMessage();
            throw ApiException.invalid(message.contains("expects") ? "expected" : "thresholds", message);
        }
    }

    private static ExpectedMeasurement expectation(Object value, String where) {
        if (!(value instanceof JsonObject e)) {
            throw new ConfigException(where, "must be an object {\"metric\", \"every\", \"grace\"?}");
        }
        Metric metric = e.getValue("metric") instanceof String name ? Metric.byName(name) : null;
        if (metric == null) {
            throw new ConfigException(where + ".metric", "must name a metric, e.g. systolic_bp or body_weight");
        }
        Duration every = duration(e, "every", where, null);
        Duration grace = duration(e, "grace", where, every.dividedBy(2));
        try {
            return new ExpectedMeasurement(metric, every, grace);
        } catch (IllegalArgumentException ex) {
            throw new ConfigException(where, ex.getMessage());
        }
    }

    private static Duration duration(JsonObject e, String field, String where, Duration fallback) {
        Object value = e.getValue(field);
        if (value == null && fallback != null) {
            return fallback;
        }
        try {
            Duration d = Duration.parse(String.valueOf(value));
            if (d.isNegative() || d.isZero() && "every".equals(field)) {
                throw new ConfigException(where + "." + field, "must be positive");
            }
            return d;
        } catch (DateTimeParseException ex) {
            throw new ConfigException(where + "." + field, "must be an ISO-8601 duration such as PT12H or P1D");
        }
    }
}
