package org.vigil.chronic.indicator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.chronic.control.ControlStatus;
import org.vigil.common.model.Condition;

/**
 * The indicators of a hand-computed population over the first quarter of 2026 (90 days: one standard follow-up
 * required). Every numerator and denominator below was worked out by hand from the facts listed.
 *
 * <pre>
 * patient  conditions        standard follow-ups   status at end                    expected  received
 * 1        HT + DM            1 (covers HT and DM)  HT controlled, DM controlled     180       170
 * 2        HT                 0                     none (no readings: unknown)       90         0
 * 3        DM                 2 (DM)                DM unknown (only non-fasting)      0         0
 * 4        HT (new doctor)    1 (by the old one)    HT uncontrolled                    0         0
 * 5        COPD               0                     COPD controlled                    0         0
 * 6        HT + HF            0                     HT controlled, HF unknown          0         0
 * </pre>
 */
@Timeout(10)
class IndicatorsTest {

    private static final LocalDate FROM = LocalDate.of(2026, 1, 1);
    private static final LocalDate TO = LocalDate.of(2026, 3, 31);
    private static final Instant T = Instant.parse("2026-02-10T01:00:00Z");

    private static final List<PatientFacts> POPULATION = List.of(
            new PatientFacts(1, Set.of(Condition.HYPERTENSION, Condition.DIABETES),
                    Map.of(Condition.HYPERTENSION, 1, Condition.DIABETES, 1),
                    Map.of(Condition.HYPERTENSION, ControlStatus.CONTROLLED, Condition.DIABETES, ControlStatus.CONTROLLED),
                    180, 170),
            new PatientFacts(2, Set.of(Condition.HYPERTENSION), Map.of(), Map.of(), 90, 0),
            new PatientFacts(3, Set.of(Condition.DIABETES), Map.of(Condition.DIABETES, 2),
                    Map.of(Condition.DIABETES, ControlStatus.UNKNOWN), 0, 0),
            new PatientFacts(4, Set.of(Condition.HYPERTENSION), Map.of(Condition.HYPERTENSION, 1),
                    Map.of(Condition.HYPERTENSION, ControlStatus.UNCONTROLLED), 0, 0),
            new PatientFacts(5, Set.of(Condition.COPD), Map.of(), Map.of(Condition.COPD, ControlStatus.CONTROLLED), 0, 0),
            new PatientFacts(6, Set.of(Condition.HYPERTENSION, Condition.HEART_FAILURE), Map.of(),
                    Map.of(Condition.HYPERTENSION, ControlStatus.CONTROLLED, Condition.HEART_FAILURE, ControlStatus.UNKNOWN),
                    0, 0));

    private static final List<AlertFacts> ALERTS = List.of(
            new AlertFacts(11, 1, "critical", T, T.plusSeconds(300), false, "contacted_patient"),
            new AlertFacts(12, 2, "critical", T, T.plusSeconds(900), true, "referred"),
            new AlertFacts(13, 4, "critical", T, null, true, null),
            new AlertFacts(14, 1, "warning", T, T.plusSeconds(60), false, "false_alarm"));

    private static Map<String, Indicator> compute() {
        return Indicators.compute(FROM, TO, 4, POPULATION, ALERTS).stream()
                .collect(Collectors.toMap(Indicator::id, i -> i));
    }

    @Test
    void patientsAreCountedOncePerConditionTheyHave() {
        Map<String, Indicator> i = compute();
        assertThat(i.get("managed_hypertension").numeratorPatients()).containsExactly(1L, 2L, 4L, 6L);
        assertThat(i.get("managed_diabetes").numeratorPatients()).containsExactly(1L, 3L);
        assertThat(i.get("managed_copd").numerator()).isEqualTo(1);
        assertThat(i.get("managed_heart_failure").numerator()).isEqualTo(1);
        assertThat(i.get("managed_hypertension").denominatorDefinition()).isNull();
        assertThat(i.get("managed_heart_failure").title()).isEqualTo("managed patients: heart failure");
        assertThat(i.get("managed_copd").numeratorDefinition())
                .isEqualTo("patients with COPD under a contract at the end of the period");
    }

    @Test
    void standardManagementCountsTheProRatedNumberOfFollowUps() {
        Map<String, Indicator> i = compute();
        Indicator ht = i.get("standard_management_rate_hypertension");
        assertRate(ht, List.of(1L, 4L), List.of(1L, 2L, 4L, 6L), 0.5);
        assertThat(ht.numeratorDefinition()).contains("at least 1 standard follow-ups").contains("90 days");
        Indicator dm = i.get("standard_management_rate_diabetes");
        assertThat(dm.numerator()).isEqualTo(2);
        assertThat(dm.denominator()).isEqualTo(2);
    }

    /** Verifies that unknown (no readings, only non-fasting glucose) counts in the denominator, not the numerator. */
    @Test
    void controlRatesCountUnknownAsNotControlled() {
        Map<String, Indicator> i = compute();
        Indicator bp = i.get("bp_control_rate");
        assertRate(bp, List.of(1L, 6L), List.of(1L, 2L, 4L, 6L), 0.5);
        Indicator glucose = i.get("glucose_control_rate");
        assertRate(glucose, List.of(1L), List.of(1L, 3L), 0.5);
    }

    @Test
    void adherenceIsReceivedOverExpectedMeasurements() {
        Indicator a = compute().get("monitoring_adherence");
        assertThat(a.numerator()).isEqualTo(170);
        assertThat(a.denominator()).isEqualTo(270);
        assertThat(a.value()).isEqualTo(170.0 / 270);
        assertThat(a.numeratorPatients()).containsExactly(1L);
        assertThat(a.denominatorPatients()).containsExactly(1L, 2L);
    }

    @Test
    void alertResponseUsesNearestRankPercentilesAndSharesOfOpenedAlerts() {
        Map<String, Indicator> i = compute();
        assertThat(i.get("ack_p50_critical").numerator()).isEqualTo(300);
        assertThat(i.get("ack_p90_critical").numerator()).isEqualTo(900);
        assertThat(i.get("ack_p90_critical").denominator()).as("acknowledged critical alerts").isEqualTo(2);
        assertThat(i.get("ack_p50_warning").value()).isEqualTo(60.0);
        Indicator escalated = i.get("alerts_escalated_share");
        assertThat(escalated.numerator()).isEqualTo(2);
        assertThat(escalated.denominator()).isEqualTo(4);
        assertThat(escalated.numeratorPatients()).containsExactly(2L, 4L);
        assertThat(escalated.denominatorPatients()).containsExactly(1L, 2L, 4L);
        assertThat(i.get("alerts_resolved_share_referred").value()).isEqualTo(0.25);
        assertThat(i.get("alerts_resolved_share_contacted_patient").numerator()).isEqualTo(1);
        assertThat(i.get("alerts_resolved_share_false_alarm").numeratorPatients()).containsExactly(1L);
    }

    @Test
    void anEmptyPanelHasNoRates() {
        Map<String, Indicator> i = Indicators.compute(FROM, TO, 4, List.of(), List.of()).stream()
                .collect(Collectors.toMap(Indicator::id, x -> x));
        assertThat(i.get("bp_control_rate").value()).isNull();
        assertThat(i.get("ack_p50_critical").value()).isNull();
        assertThat(i.get("monitoring_adherence").value()).isNull();
        assertThat(i.get("managed_hypertension").value()).isEqualTo(0.0);
    }

    @Test
    void theRequiredFollowUpsArePerYearProRatedAndRounded() {
        assertThat(Indicators.requiredFollowUps(4, 30)).isEqualTo(1);
        assertThat(Indicators.requiredFollowUps(4, 90)).isEqualTo(1);
        assertThat(Indicators.requiredFollowUps(4, 181)).isEqualTo(2);
        assertThat(Indicators.requiredFollowUps(4, 365)).isEqualTo(4);
        assertThat(Indicators.requiredFollowUps(4, 366)).as("a leap year asks for no fifth").isEqualTo(4);
        assertThat(Indicators.percentile(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), 90)).isEqualTo(9L);
    }

    /** The patients counted in the indicator's numerator and denominator, in id order, and its value. */
    private static void assertRate(Indicator indicator, List<Long> numerator, List<Long> denominator, double value) {
        assertThat(indicator.numeratorPatients()).as(indicator.id() + " numerator").containsExactlyElementsOf(numerator);
        assertThat(indicator.denominatorPatients()).as(indicator.id() + " denominator")
                .containsExactlyElementsOf(denominator);
        assertThat(indicator.value()).as(indicator.id()).isEqualTo(value);
    }
}
