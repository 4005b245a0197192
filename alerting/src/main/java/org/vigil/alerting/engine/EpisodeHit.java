package org.vigil.alerting.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vigil.alerting.rules.RuleHit;
import org.vigil.common.model.Reading;
import org.vigil.common.model.Severity;

/**
 * All hits of one rule for one patient within a batch, folded into one update of that patient's alert:
 * a 1 Hz stream in crisis costs one database write per batch, not one per reading.
 *
 * @param patientId  the patient
 * @param ruleId     the rule
 * @param severity   the worst severity among the hits
 * @param worst      the first reading at that severity (the one that opens or escalates the alert)
 * @param latest     the reading measured last
 * @param count      how many readings hit
 */
public record EpisodeHit(long patientId, String ruleId, Severity severity, Reading worst, Reading latest, int count) {

    /** Folds hits by patient and rule, keeping the order in which each pair first appeared. */
    public static List<EpisodeHit> fold(List<RuleHit> hits) {
        Map<String, EpisodeHit> folded = new LinkedHashMap<>();
        for (RuleHit hit : hits) {
            Reading r = hit.reading();
            folded.merge(r.patientId() + "/" + hit.ruleId(),
                    new EpisodeHit(r.patientId(), hit.ruleId(), hit.severity(), r, r, 1),
                    EpisodeHit::plus);
        }
        return new ArrayList<>(folded.values());
    }

    private EpisodeHit plus(EpisodeHit next) {
        boolean worse = next.severity.worseThan(severity);
        return new EpisodeHit(patientId, ruleId,
                worse ? next.severity : severity,
                worse ? next.worst : worst,
                next.latest.measuredAt() >= latest.measuredAt() ? next.latest : latest,
                count + next.count);
    }
}
