package org.vigil.alerting.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.alerting.rules.RuleHit;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;
import org.vigil.common.model.Severity;

@Timeout(10)
class EpisodeHitTest {

    @Test
    void hitsFoldPerPatientAndRuleKeepingTheWorstAndTheLatest() {
        Reading warn = new Reading(1, 10, Metric.SYSTOLIC_BP, 1_000, 165);
        Reading crit = new Reading(1, 10, Metric.DIASTOLIC_BP, 1_000, 112);
        Reading laterWarn = new Reading(1, 10, Metric.SYSTOLIC_BP, 5_000, 161);
        Reading other = new Reading(2, 11, Metric.SPO2, 2_000, 86);

        List<EpisodeHit> folded = EpisodeHit.fold(List.of(
                new RuleHit("bp", Severity.WARNING, warn),
                new RuleHit("spo2", Severity.CRITICAL, other),
                new RuleHit("bp", Severity.CRITICAL, crit),
                new RuleHit("bp", Severity.WARNING, laterWarn)));

        assertThat(folded).containsExactly(
                new EpisodeHit(10, "bp", Severity.CRITICAL, crit, laterWarn, 3),
                new EpisodeHit(11, "spo2", Severity.CRITICAL, other, other, 1));
    }
}
