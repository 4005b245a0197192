package org.vigil.alerting.store;

import java.util.Map;

/**
 * How other modules find alerting's records, in alerting's own SQL: they never name its tables
 * (docs/architecture.md, "Module boundaries").
 */
public final class AlertLookups {

    /**
     * For the registry's refusal audit ({@code RefusalTargets}): by the path segment under {@code /api/v1}, the
     * query that takes a record's id and returns the patient it concerns.
     */
    public static final Map<String, String> REFUSAL_TARGETS = Map.of(
            "alerts", "SELECT patient_id FROM alert WHERE id = ?");

    private AlertLookups() {
    }
}
