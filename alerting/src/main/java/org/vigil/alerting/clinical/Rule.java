package org.vigil.alerting.clinical;

import org.vigil.common.model.Condition;

import java.util.Set;
import org.vigil.common.model.Metric;

/**
 * A compiled rule: which metrics wake it, how its episodes live, and how it binds to a patient. Owned by one
 * engine; a rule may keep scratch objects because the engine is confined to one thread.
 */
abstract class Rule {

    final String id;
    final int metricMask;
    final EpisodePolicy policy;
    private final Set<Condition> appliesTo;

    Rule(String id, int metricMask, LifecycleSettings lifecycle, Set<Condition> appliesTo) {
        this.id = id;
        this.metricMask = metricMask;
        this.policy = new EpisodePolicy(lifecycle);
        this.appliesTo = appliesTo;
    }

    boolean appliesTo(PatientProfile profile) {
        if (appliesTo.isEmpty()) {
            return true;
        }
        for (Condition c : appliesTo) {
            if (profile.has(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What selects this rule's parameters for the patient, or {@code null} when the rule does not apply. Equal
     * keys mean the patient's detector (and its state) can be kept across a profile change. By default the rule
     * has one set of parameters for every patient it applies to; rules whose parameters depend on the profile
     * (bands by condition, NEWS2 scales) override this.
     */
    Object bindingKey(PatientProfile profile) {
        return appliesTo(profile) ? Boolean.TRUE : null;
    }

    /** A detector for a key returned by {@link #bindingKey}. */
    abstract Detector detector(Object key);

    /** How much measurement-time history the rule needs to be correct after {@link ClinicalEngine#rebuild}. */
    abstract long lookbackMillis();

    /** A signal about this rule's episode {@code e}: its severity, counts, headline and back-in-range mark go with it. */
    AlertSignal signal(long patientId, Episode e, AlertSignal.Kind kind, Metric metric, double value, long at,
                       boolean late, String detail) {
        return new AlertSignal(patientId, id, kind, e.severity, metric, value, e.worst, at, late, detail,
                e.occurrences, e.flaps, e.headline(), e.backInRangeAt != Episode.NONE);
    }
}
