package org.vigil.simulator.scenario;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one table of which alert each scenario should produce. A rule may end in {@code *} to match a family
 * ({@code missing_*} matches {@code missing_systolic_bp}). {@code also} lists rules the scenario may
 * legitimately raise besides the expected one (a drift of SpO2 also crosses the plain SpO2 threshold); they
 * are neither required nor counted as false alarms.
 *
 * <p>The defaults name the rules of Vigil's built-in clinical rules; change one with
 * {@code --expect scenario=rule[:severity]} when the server runs an edited rule set.
 *
 * @param table  expectation per scenario
 */
public record Expectations(Map<ScenarioKind, Expectation> table) {

    /**
     * What one scenario should produce.
     *
     * @param rule      the rule id (or {@code prefix*})
     * @param severity  {@code critical}, {@code warning}, or null for any
     * @param also      rules tolerated besides
     * @param cause     text the alert's detail must contain (it tells a silent device from a patient who did not
     *                  measure), or null for any
     */
    public record Expectation(String rule, String severity, List<String> also, String cause) {
        public Expectation {
            also = List.copyOf(also);
        }

        public Expectation(String rule, String severity, List<String> also) {
            this(rule, severity, also, null);
        }

        /** Whether an alert's detail names the expected cause. */
        public boolean names(String detail) {
            return cause == null || detail != null && detail.contains(cause);
        }

        /** Whether an alert's rule is the expected one. */
        public boolean expects(String alertRule) {
            return matches(rule, alertRule);
        }

        /** Whether an alert's rule is expected or tolerated. */
        public boolean explains(String alertRule) {
            return expects(alertRule) || also.stream().anyMatch(p -> matches(p, alertRule));
        }

        /** Whether an alert of that severity is severe enough. */
        public boolean severeEnough(String alertSeverity) {
            return severity == null || severity.equals(alertSeverity) || "critical".equals(alertSeverity);
        }

        private static boolean matches(String pattern, String rule) {
            return pattern.endsWith("*") ? rule != null && rule.startsWith(pattern.substring(0, pattern.length() - 1))
                    : pattern.equals(rule);
        }

        @Override
        public String toString() {
            return rule + (severity == null ? "" : ":" + severity);
        }
    }

    /** The defaults. */
    public static final Expectations DEFAULT = new Expectations(Map.of(
            ScenarioKind.HYPERTENSIVE_CRISIS, new Expectation("blood_pressure_high", "critical", List.of()),
            ScenarioKind.SEVERE_HYPOGLYCAEMIA, new Expectation("glucose_low", "critical", List.of("glucose_low_share")),
            ScenarioKind.COPD_EXACERBATION, new Expectation("spo2_baseline_drop", null, List.of("spo2_low", "news2")),
            ScenarioKind.HF_WEIGHT_GAIN, new Expectation("weight_gain", null, List.of()),
            ScenarioKind.DEVICE_SILENT, new Expectation("missing_*", null, List.of(), "device silent"),
            ScenarioKind.STOPS_MEASURING, new Expectation("missing_*", null, List.of(), "nothing measured")));

    public Expectations {
        table = Map.copyOf(new EnumMap<>(table));
    }

    /** The expectation for a scenario. */
    public Expectation of(ScenarioKind kind) {
        return table.get(kind);
    }

    /**
     * The defaults with overrides written {@code scenario=rule[:severity],...}; the tolerated rules of an
     * overridden scenario are kept.
     *
     * @throws IllegalArgumentException naming the malformed part
     */
    public static Expectations parse(String text) {
        Map<ScenarioKind, Expectation> table = new EnumMap<>(DEFAULT.table);
        for (String part : text.split(",")) {
            String[] kv = part.trim().split("=", -1);
            ScenarioKind kind = kv.length == 2 ? ScenarioKind.fromWire(kv[0].trim().toLowerCase(Locale.ROOT)) : null;
            if (kind == null || kv[1].isBlank()) {
                throw new IllegalArgumentException("expected scenario=rule[:severity] (was '" + part.trim() + "')");
            }
            String[] rs = kv[1].trim().split(":", -1);
            String severity = rs.length > 1 ? rs[1].trim() : null;
            if (severity != null && !severity.equals("critical") && !severity.equals("warning")) {
                throw new IllegalArgumentException("severity must be critical or warning (was '" + severity + "')");
            }
            table.put(kind, new Expectation(rs[0].trim(), severity, DEFAULT.of(kind).also(), DEFAULT.of(kind).cause()));
        }
        return new Expectations(table);
    }
}
