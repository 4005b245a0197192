package org.vigil.alerting.clinical;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/**
 * Threshold with severity bands on single measurements. Bands come from the care plan's override, else the
 * first condition variant the patient has, else the defaults. Stateless: one detector per distinct band set,
 * shared by every patient using it.
 */
final class BandsRule extends Rule {

    private final RuleSpec.ThresholdBands spec;
    private final Map<List<Band>, Detector> shared = new IdentityHashMap<>();

    BandsRule(RuleSpec.ThresholdBands spec) {
        super(spec.id(), mask(spec.bands(), spec.byCondition()), spec.lifecycle(), spec.appliesTo());
        this.spec = spec;
        shared.put(spec.bands(), new BandsDetector(spec.bands(), spec.input()));
        for (RuleSpec.ConditionBands variant : spec.byCondition()) {
            shared.put(variant.bands(), new BandsDetector(variant.bands(), spec.input()));
        }
    }

    static int mask(List<Band> bands, List<RuleSpec.ConditionBands> variants) {
        int mask = 0;
        for (Band band : bands) {
            for (Threshold t : band.anyOf()) {
                mask |= Moment.bit(t.metric());
            }
        }
        for (RuleSpec.ConditionBands variant : variants) {
            mask |= mask(variant.bands(), List.of());
        }
        return mask;
    }

    /** The bands for a patient: care-plan override, first matching condition variant, or the defaults. */
    static List<Band> select(String id, List<Band> defaults, List<RuleSpec.ConditionBands> variants,
                             PatientProfile profile) {
        List<Band> override = profile.overrides().get(id);
        if (override != null) {
            return override;
        }
        for (RuleSpec.ConditionBands variant : variants) {
            if (profile.has(variant.condition())) {
                return variant.bands();
            }
        }
        return defaults;
    }

    @Override
    Object bindingKey(PatientProfile profile) {
        return appliesTo(profile) ? select(id, spec.bands(), spec.byCondition(), profile) : null;
    }

    @Override
    Detector detector(Object key) {
        @SuppressWarnings("unchecked")
        List<Band> bands = (List<Band>) key;
        Detector d = shared.get(bands);
        return d != null ? d : new BandsDetector(bands, spec.input());
    }

    @Override
    long lookbackMillis() {
        return 0;
    }

    /** Bands compiled to arrays, most severe first. */
    private static final class BandsDetector implements Detector {

        private final Severity[] severities;
        private final Threshold[][] thresholds;
        private final RuleSpec.Input input;

        BandsDetector(List<Band> bands, RuleSpec.Input input) {
            List<Band> ordered = bands.stream()
                    .sorted((x, y) -> y.severity().compareTo(x.severity())).toList();
            this.severities = ordered.stream().map(Band::severity).toArray(Severity[]::new);
            this.thresholds = ordered.stream().map(b -> b.anyOf().toArray(Threshold[]::new)).toArray(Threshold[][]::new);
            this.input = input;
        }

        @Override
        public void evaluate(Moment m, Verdict out) {
            Metric seen = null;
            for (int b = 0; b < severities.length; b++) {
                for (Threshold t : thresholds[b]) {
                    if (!m.has(t.metric(), input)) {
                        continue;
                    }
                    double v = m.value(t.metric());
                    if (seen == null) {
                        seen = t.metric();
                    }
                    if (t.matches(v)) {
                        boolean high = t.comparison() == Comparison.GT || t.comparison() == Comparison.GE;
                        out.firing(severities[b], t.metric(), v, high);
                        out.a = t.value();
                        out.n = t.comparison().ordinal();
                        return;
                    }
                }
            }
            if (seen != null) {
                out.inRange(seen, m.value(seen));
            }
        }

        @Override
        public String describe(Verdict v) {
            if (v.outcome != Verdict.Outcome.FIRING) {
                return Format.label(v.metric) + " " + Format.value(v.metric, v.value) + ", back in range";
            }
            return Format.label(v.metric) + " " + Format.value(v.metric, v.value) + " ("
                    + v.severity.wireName() + " at " + Comparison.values()[v.n].symbol() + " " + Format.num(v.a) + ")";
        }
    }
}
