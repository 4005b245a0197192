package org.vigil.alerting.clinical;

import org.vigil.common.model.Condition;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/**
 * The configuration of one clinical rule: immutable data, read from {@code clinical-rules.json} by
 * {@code ClinicalRulesConfig} and compiled by the {@link ClinicalEngine}. Every rule names its clinical
 * source; {@code appliesTo} limits it to patients with one of those conditions (empty: every patient).
 */
public sealed interface RuleSpec {

    String id();

    String title();

    String source();

    Set<Condition> appliesTo();

    /** Which readings a rule looks at. */
    enum Input {
        /**
         * Spot measurements only: readings measured at least the stream gap after the device's previous reading
         * of the metric, by a device not known to stream it (see {@link ClinicalRules#streamGap()}). A 1 Hz
         * wearable's samples are left to sustained and window rules, so one noisy second does not open an alert.
         */
        SPOT,
        /** Every reading. */
        ANY
    }

    /** Bands that replace a rule's defaults for patients with a condition (the first matching variant wins). */
    record ConditionBands(Condition condition, List<Band> bands, String source) {

        public ConditionBands {
            Objects.requireNonNull(condition, "condition");
            bands = sorted(bands);
            Objects.requireNonNull(source, "source");
        }
    }

    /** A reading in a severity band alerts at once; bands are tried from the most severe down. */
    record ThresholdBands(String id, String title, String source, Set<Condition> appliesTo,
                          LifecycleSettings lifecycle, Input input, List<Band> bands,
                          List<ConditionBands> byCondition) implements RuleSpec {

        public ThresholdBands {
            common(id, title, source, lifecycle);
            appliesTo = Set.copyOf(appliesTo);
            Objects.requireNonNull(input, "input");
            bands = sorted(bands);
            byCondition = List.copyOf(byCondition);
        }
    }

    /**
     * A condition on one metric (one band) that must hold for {@code minReadings} readings spanning at least
     * {@code minDuration}: one alert, not one per second. The run breaks when no reading meets the condition for
     * longer than {@code maxGap}, or when a reading in range comes more than {@code tolerance} after the last one
     * that met it: a wearable's second of noise back in range does not hide a sustained condition, while
     * {@code tolerance} zero means readings in a row.
     */
    record Sustained(String id, String title, String source, Set<Condition> appliesTo, LifecycleSettings lifecycle,
                     Input input, List<Band> bands, List<ConditionBands> byCondition, Duration minDuration,
                     int minReadings, Duration maxGap, Duration tolerance) implements RuleSpec {

        public Sustained {
            common(id, title, source, lifecycle);
            appliesTo = Set.copyOf(appliesTo);
            Objects.requireNonNull(input, "input");
            bands = List.copyOf(bands);
            byCondition = List.copyOf(byCondition);
            Metric metric = singleMetric(id, bands);
            for (ConditionBands variant : byCondition) {
                if (singleMetric(id, variant.bands()) != metric) {
                    throw new IllegalArgumentException("rule " + id + ": every variant must watch " + metric.wireName());
                }
            }
            nonNegative(id, "minDuration", minDuration);
            positive(id, "maxGap", maxGap);
            nonNegative(id, "tolerance", tolerance);
            if (tolerance.compareTo(maxGap) > 0) {
                throw new IllegalArgumentException("rule " + id + ": tolerance must not exceed maxGap");
            }
            if (minReadings < 1) {
                throw new IllegalArgumentException("rule " + id + ": minReadings must be at least 1");
            }
        }

        /** The metric the rule watches. */
        public Metric metric() {
            return bands.get(0).anyOf().get(0).metric();
        }

        static Metric singleMetric(String id, List<Band> bands) {
            if (bands.size() != 1) {
                throw new IllegalArgumentException("rule " + id + ": a sustained rule has exactly one band");
            }
            Metric metric = bands.get(0).anyOf().get(0).metric();
            if (bands.get(0).anyOf().stream().anyMatch(t -> t.metric() != metric)) {
                throw new IllegalArgumentException("rule " + id + ": a sustained rule watches one metric");
            }
            return metric;
        }
    }

    /**
     * Mean over a window at or above limits (any of them), e.g. 7-day home blood pressure ≥ 135/85. The mean is
     * evidence only over at least {@code minReadings} readings taken on at least {@code minDays} calendar days
     * (in {@link ClinicalRules#zone()}): home blood pressure is judged over several days, and six readings in
     * one sitting are not a week of home measurements.
     */
    record MeanAbove(String id, String title, String source, Set<Condition> appliesTo, LifecycleSettings lifecycle,
                     List<Threshold> limits, Duration window, int minReadings, int minDays, Severity severity,
                     Duration bucket, Input input)
            implements RuleSpec {

        public MeanAbove {
            common(id, title, source, lifecycle);
            Objects.requireNonNull(input, "input");
            appliesTo = Set.copyOf(appliesTo);
            limits = List.copyOf(limits);
            if (limits.isEmpty() || limits.stream().map(Threshold::metric).distinct().count() != limits.size()) {
                throw new IllegalArgumentException("rule " + id + ": needs one limit per metric");
            }
            if (limits.stream().anyMatch(t -> t.comparison() != Comparison.GE && t.comparison() != Comparison.GT)) {
                throw new IllegalArgumentException("rule " + id + ": limits must be > or >=");
            }
            positive(id, "window", window);
            positive(id, "bucket", bucket);
            Objects.requireNonNull(severity, "severity");
            if (minReadings < 1) {
                throw new IllegalArgumentException("rule " + id + ": minReadings must be at least 1");
            }
            // A window of d days touches at most d + 1 calendar days (d whole days starting mid-day).
            long dayMillis = Duration.ofDays(1).toMillis();
            long days = (window.toMillis() + dayMillis - 1) / dayMillis + 1;
            if (minDays < 1 || minDays > days) {
                throw new IllegalArgumentException("rule " + id + ": minDays must be between 1 and " + days
                        + " (the calendar days a " + window + " window can touch)");
            }
        }
    }

    /** The newest reading exceeds the lowest of the window by more than {@code amount} (weight gain). */
    record Gain(String id, String title, String source, Set<Condition> appliesTo, LifecycleSettings lifecycle,
                Metric metric, double amount, Duration window, Severity severity, Duration bucket) implements RuleSpec {

        public Gain {
            appliesTo = oneMetric(id, title, source, appliesTo, lifecycle, metric, severity);
            positive(id, "window", window);
            positive(id, "bucket", bucket);
            if (!(amount > 0)) {
                throw new IllegalArgumentException("rule " + id + ": amount must be positive");
            }
        }
    }

    /**
     * The mean of the recent window is at least {@code drop} below the mean of the baseline window just before
     * it: the patient compared with their own normal (COPD exacerbation).
     */
    record BaselineDrop(String id, String title, String source, Set<Condition> appliesTo, LifecycleSettings lifecycle,
                        Metric metric, double drop, Duration recent, Duration baseline, int minRecent, int minBaseline,
                        Severity severity, Duration bucket) implements RuleSpec {

        public BaselineDrop {
            appliesTo = oneMetric(id, title, source, appliesTo, lifecycle, metric, severity);
            positive(id, "recent", recent);
            positive(id, "baseline", baseline);
            positive(id, "bucket", bucket);
            if (!(drop > 0) || minRecent < 1 || minBaseline < 1) {
                throw new IllegalArgumentException("rule " + id + ": drop, minRecent and minBaseline must be positive");
            }
        }
    }

    /** The share of readings below {@code below} over the window exceeds {@code share} (time below range). */
    record ShareBelow(String id, String title, String source, Set<Condition> appliesTo, LifecycleSettings lifecycle,
                      Metric metric, double below, double share, Duration window, int minReadings, Severity severity,
                      Duration bucket) implements RuleSpec {

        public ShareBelow {
            appliesTo = oneMetric(id, title, source, appliesTo, lifecycle, metric, severity);
            positive(id, "window", window);
            positive(id, "bucket", bucket);
            if (!(share > 0 && share < 1) || minReadings < 1) {
                throw new IllegalArgumentException("rule " + id + ": share must be in (0, 1) and minReadings positive");
            }
        }
    }

    /**
     * NEWS2-style composite score from the latest spot values of respiratory rate, SpO2, systolic pressure,
     * pulse and temperature (those measured within {@code maxAge}); SpO2 scale 2 for patients with a condition
     * in {@code scale2For}. Warning at {@code warningTotal} or any single parameter scoring 3, critical at
     * {@code criticalTotal}. NEWS2 was validated for acute care; at home it is an aid to judgement.
     */
    record News2(String id, String title, String source, Set<Condition> appliesTo, LifecycleSettings lifecycle,
                 Duration maxAge, int minParameters, int warningTotal, int criticalTotal, Set<Condition> scale2For)
            implements RuleSpec {

        public News2 {
            common(id, title, source, lifecycle);
            appliesTo = Set.copyOf(appliesTo);
            scale2For = Set.copyOf(scale2For);
            positive(id, "maxAge", maxAge);
            if (minParameters < 1 || minParameters > 5 || warningTotal < 1 || criticalTotal < warningTotal) {
                throw new IllegalArgumentException("rule " + id
                        + ": needs 1 <= minParameters <= 5 and 1 <= warningTotal <= criticalTotal");
            }
        }
    }

    /**
     * Adherence: the measurements a patient's care plan expects ({@link PatientProfile#expected()}) stop
     * arriving. One rule per expected metric, named {@code <id>_<metric>}; its detail tells a silent device
     * from a connected device whose patient did not measure.
     */
    record MissingData(String id, String title, String source, Set<Condition> appliesTo, Severity severity)
            implements RuleSpec {

        public MissingData {
            common(id, title, source, LifecycleSettings.DEFAULTS);
            appliesTo = Set.copyOf(appliesTo);
            Objects.requireNonNull(severity, "severity");
        }

        /** The rule id of the alerts for one expected metric. */
        public String ruleId(Metric metric) {
            return id + "_" + metric.wireName();
        }
    }

    private static void common(String id, String title, String source, LifecycleSettings lifecycle) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(lifecycle, "lifecycle");
        if (id.isBlank()) {
            throw new IllegalArgumentException("rule id must not be blank");
        }
    }

    /**
     * The checks shared by the window rules on one metric ({@link Gain}, {@link BaselineDrop}, {@link ShareBelow}),
     * in their order; returns {@code appliesTo} copied.
     */
    private static Set<Condition> oneMetric(String id, String title, String source, Set<Condition> appliesTo,
            LifecycleSettings lifecycle, Metric metric, Severity severity) {
        common(id, title, source, lifecycle);
        Set<Condition> copy = Set.copyOf(appliesTo);
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(severity, "severity");
        return copy;
    }

    private static List<Band> sorted(List<Band> bands) {
        if (bands.isEmpty()) {
            throw new IllegalArgumentException("needs at least one band");
        }
        return bands.stream().sorted(Comparator.comparing(Band::severity).reversed()).toList();
    }

    private static void positive(String id, String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("rule " + id + ": " + name + " must be positive");
        }
    }

    private static void nonNegative(String id, String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException("rule " + id + ": " + name + " must not be negative");
        }
    }
}
