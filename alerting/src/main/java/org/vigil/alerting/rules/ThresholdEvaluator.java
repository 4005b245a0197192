package org.vigil.alerting.rules;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;
import org.vigil.common.model.Severity;

/**
 * Evaluates threshold rules against single readings. Rules are indexed by metric at construction, so a
 * reading is compared only with the thresholds of its own metric. Immutable and thread-safe; allocates
 * only when a rule fires.
 */
public final class ThresholdEvaluator {

    /** A rule's bands reduced to one metric: severities and thresholds in parallel arrays. */
    private record MetricRule(String ruleId, Severity[] severities, Threshold[][] thresholds) {
    }

    private final Map<Metric, List<MetricRule>> byMetric = new EnumMap<>(Metric.class);

    public ThresholdEvaluator(List<ThresholdRule> rules) {
        for (Metric metric : Metric.values()) {
            List<MetricRule> forMetric = new ArrayList<>();
            for (ThresholdRule rule : rules) {
                List<Severity> severities = new ArrayList<>();
                List<Threshold[]> thresholds = new ArrayList<>();
                for (Band band : rule.bands()) {
                    Threshold[] own = band.anyOf().stream().filter(t -> t.metric() == metric).toArray(Threshold[]::new);
                    if (own.length > 0) {
                        severities.add(band.severity());
                        thresholds.add(own);
                    }
                }
                if (!severities.isEmpty()) {
                    forMetric.add(new MetricRule(rule.id(), severities.toArray(Severity[]::new),
                            thresholds.toArray(Threshold[][]::new)));
                }
            }
            byMetric.put(metric, forMetric);
        }
    }

    /** The rules the reading meets, each with the most severe band it falls in; empty when none. */
    public List<RuleHit> evaluate(Reading reading) {
        List<RuleHit> hits = null;
        for (MetricRule rule : byMetric.get(reading.metric())) {
            Severity severity = worstBand(rule, reading.value());
            if (severity != null) {
                if (hits == null) {
                    hits = new ArrayList<>(2);
                }
                hits.add(new RuleHit(rule.ruleId(), severity, reading));
            }
        }
        return hits == null ? List.of() : hits;
    }

    private static Severity worstBand(MetricRule rule, double value) {
        for (int b = 0; b < rule.severities().length; b++) {
            for (Threshold t : rule.thresholds()[b]) {
                if (t.matches(value)) {
                    return rule.severities()[b];
                }
            }
        }
        return null;
    }
}
