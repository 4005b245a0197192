package org.vigil.alerting.clinical;

import org.vigil.common.model.Condition;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.vigil.common.model.Metric;

/**
 * What the rule engine needs to know about one patient: conditions, the care plan's threshold overrides and
 * the measurements it expects. Immutable; the engine re-binds its rules to a patient when it is handed a
 * profile that differs from the last one (cheap when the caller reuses the same instance).
 *
 * @param patientId       registry id
 * @param conditions      chronic conditions, selecting condition-specific rule variants
 * @param overrides       care-plan overrides by rule id: the bands replace those of a threshold rule, or the
 *                        single band (one metric) of a sustained rule; checked by
 *                        {@link ClinicalEngine#validate(PatientProfile)}
 * @param expected        measurements the care plan expects, at most one per metric
 * @param monitoredSince  when monitoring began: missing data counts from here until the first measurement
 */
public record PatientProfile(long patientId, Set<Condition> conditions, Map<String, List<Band>> overrides,
                             List<ExpectedMeasurement> expected, Instant monitoredSince) {

    public PatientProfile {
        Objects.requireNonNull(monitoredSince, "monitoredSince");
        conditions = conditions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(conditions));
        Map<String, List<Band>> copy = new LinkedHashMap<>();
        overrides.forEach((rule, bands) -> copy.put(Objects.requireNonNull(rule, "rule id"), List.copyOf(bands)));
        overrides = Map.copyOf(copy);
        expected = List.copyOf(expected);
        Map<Metric, ExpectedMeasurement> seen = new HashMap<>();
        for (ExpectedMeasurement e : expected) {
            if (seen.put(e.metric(), e) != null) {
                throw new IllegalArgumentException("patient " + patientId + " expects " + e.metric().wireName() + " twice");
            }
        }
    }

    /** A profile with conditions only: no overrides, no expected measurements. */
    public static PatientProfile of(long patientId, Instant monitoredSince, Condition... conditions) {
        return new PatientProfile(patientId, Set.of(conditions), Map.of(), List.of(), monitoredSince);
    }

    /** A copy that also expects these measurements. */
    public PatientProfile expecting(ExpectedMeasurement... more) {
        List<ExpectedMeasurement> all = new ArrayList<>(expected);
        all.addAll(List.of(more));
        return new PatientProfile(patientId, conditions, overrides, all, monitoredSince);
    }

    /** A copy whose care plan replaces the bands of one rule. */
    public PatientProfile withOverride(String ruleId, List<Band> bands) {
        Map<String, List<Band>> all = new HashMap<>(overrides);
        all.put(ruleId, bands);
        return new PatientProfile(patientId, conditions, all, expected, monitoredSince);
    }

    public boolean has(Condition condition) {
        return conditions.contains(condition);
    }
}
