package org.vigil.alerting.clinical;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.vigil.common.model.Metric;

/**
 * The engine's rules compiled from their configuration: each rule by its index, the missing-data rule apart
 * (it watches metrics, not readings), how much history a rebuild needs, the check of a care plan's overrides
 * against them, and the binding of the rules to a patient's profile.
 */
final class RuleSet {

    final Rule[] rules;
    final RuleSpec.MissingData missing;
    final Duration historyNeeded;
    private final Map<String, Integer> indexById = new HashMap<>();

    RuleSet(ClinicalRules config) {
        Objects.requireNonNull(config, "config");
        long lateHorizon = config.lateHorizon().toMillis();
        CalendarDays calendar = new CalendarDays(config.zone());
        List<Rule> compiled = new ArrayList<>();
        RuleSpec.MissingData missing = null;
        long lookback = 0;
        for (RuleSpec spec : config.rules()) {
            if (spec instanceof RuleSpec.MissingData m) {
                missing = m;
                continue;
            }
            Rule rule = compile(spec, lateHorizon, calendar);
            indexById.put(rule.id, compiled.size());
            compiled.add(rule);
            lookback = Math.max(lookback, rule.lookbackMillis());
        }
        this.rules = compiled.toArray(Rule[]::new);
        this.missing = missing;
        this.historyNeeded = Duration.ofMillis(lookback);
    }

    private static Rule compile(RuleSpec spec, long lateHorizon, CalendarDays calendar) {
        return switch (spec) {
            case RuleSpec.ThresholdBands s -> new BandsRule(s);
            case RuleSpec.Sustained s -> new SustainedRule(s);
            case RuleSpec.MeanAbove s -> new MeanAboveRule(s, lateHorizon, calendar);
            case RuleSpec.Gain s -> new GainRule(s, lateHorizon);
            case RuleSpec.BaselineDrop s -> new BaselineDropRule(s, lateHorizon);
            case RuleSpec.ShareBelow s -> new ShareBelowRule(s, lateHorizon);
            case RuleSpec.News2 s -> new News2Rule(s);
            case RuleSpec.MissingData s -> throw new IllegalStateException("handled apart: " + s.id());
        };
    }

    /** The index of the rule with this id, or {@code null} (the missing-data rule's ids are not indexed). */
    Integer index(String ruleId) {
        return indexById.get(ruleId);
    }

    /** See {@link ClinicalEngine#validate}. */
    void validate(PatientProfile profile) {
        for (Map.Entry<String, List<Band>> e : profile.overrides().entrySet()) {
            Integer index = indexById.get(e.getKey());
            Rule rule = index == null ? null : rules[index];
            String where = "care plan of patient " + profile.patientId() + " overrides " + e.getKey();
            if (e.getValue().isEmpty()) {
                throw new IllegalArgumentException(where + " with no bands");
            }
            if (rule instanceof SustainedRule) {
                Metric own = Metric.values()[Integer.numberOfTrailingZeros(rule.metricMask)];
                try {
                    if (RuleSpec.Sustained.singleMetric(e.getKey(), e.getValue()) != own) {
                        throw new IllegalArgumentException(where + ": the band must watch " + own.wireName());
                    }
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(where + ": " + ex.getMessage(), ex);
                }
            } else if (!(rule instanceof BandsRule)) {
                throw new IllegalArgumentException(where + ", which is not a threshold or sustained rule");
            }
        }
    }

    /** Binds the rules to a (changed) profile; detectors whose parameters did not change keep their state. */
    void bind(PatientState ps, PatientProfile profile, boolean emit, List<AlertSignal> out) {
        if (ps.profile == profile) {
            return;
        }
        if (ps.profile != null && ps.profile.equals(profile)) {
            ps.profile = profile;
            return;
        }
        validate(profile);
        for (int k = 0; k < rules.length; k++) {
            Object key = rules[k].bindingKey(profile);
            if (ps.detectors[k] != null && Objects.equals(key, ps.keys[k])) {
                continue;
            }
            ps.keys[k] = key;
            ps.detectors[k] = key == null ? null : rules[k].detector(key);
            Episode e = ps.episodes[k];
            if (key == null && e != null) {
                // An alert of a severity that may not clear itself stays with the doctor; the engine just stops
                // following it.
                if (e.state == Episode.State.OPEN && emit && rules[k].policy.clearsItself(e.severity)) {
                    out.add(rules[k].signal(ps.patientId, e, AlertSignal.Kind.CLEAR, e.metric, e.last, e.lastFiringAt, false,
                            "rule no longer applies to the care plan"));
                }
                ps.episodes[k] = null;
            }
        }
        ps.profile = profile;
        if (missing != null) {
            if (ps.missing == null) {
                ps.missing = new MissingData(missing, ps.patientId);
            }
            ps.missing.bind(profile, emit ? out : null);
        }
    }
}
