package org.vigil.chronic.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.chronic.config.ChronicConfig;
import org.vigil.common.model.Condition;
import org.vigil.common.model.MeasurementContext;
import org.vigil.common.model.Metric;

@Timeout(10)
class ControlEvaluatorTest {

    /** 10:00 in Shanghai. */
    private static final Instant NOW = Instant.parse("2026-12-05T02:00:00Z");
    private final ControlEvaluator evaluator = new ControlEvaluator(ChronicConfig.defaults().control());

    /** Morning and evening readings for {@code days} days ending yesterday. */
    private static List<Observation> homeBp(int days, double systolic, double diastolic) {
        List<Observation> list = new ArrayList<>();
        for (int d = 1; d <= days; d++) {
            for (int h : new int[] {0, 12}) {
                Instant at = NOW.minus(Duration.ofDays(d)).plus(Duration.ofHours(h - 2));
                list.add(new Observation(Metric.SYSTOLIC_BP, at, systolic));
                list.add(new Observation(Metric.DIASTOLIC_BP, at, diastolic));
            }
        }
        return list;
    }

    private ControlResult bp(List<Observation> obs, Optional<OfficeMeasurement> office) {
        return evaluator.evaluate(Condition.HYPERTENSION, null, obs, office, NOW);
    }

    @Test
    void aHomeMeanBelow135Over85IsControlled() {
        ControlResult r = bp(homeBp(3, 134, 84), Optional.empty());

        assertThat(r.status()).isEqualTo(ControlStatus.CONTROLLED);
        assertThat(r.basis()).isEqualTo("home_mean");
        assertThat(r.figures()).containsEntry("homeReadings", 6).containsEntry("homeDays", 3)
                .containsEntry("homeMeanSystolic", 134.0).containsEntry("homeMeanDiastolic", 84.0);
        assertThat(r.from()).isEqualTo(NOW.minus(Duration.ofDays(7)));
    }

    @Test
    void aMeanOfExactly135IsNotBelowTheTarget() {
        assertThat(bp(homeBp(3, 135, 80), Optional.empty()).status()).isEqualTo(ControlStatus.UNCONTROLLED);
        assertThat(bp(homeBp(3, 120, 85), Optional.empty()).status()).isEqualTo(ControlStatus.UNCONTROLLED);
    }

    /** Verifies that five readings, or six on two days, are not enough for a home mean. */
    @Test
    void tooFewHomeReadingsAreUnknown() {
        List<Observation> five = homeBp(3, 120, 70).subList(0, 10);
        assertThat(bp(five, Optional.empty()).status()).isEqualTo(ControlStatus.UNKNOWN);
        List<Observation> twoDays = new ArrayList<>(homeBp(2, 120, 70));
        twoDays.add(new Observation(Metric.SYSTOLIC_BP, NOW.minus(Duration.ofDays(1)), 120));
        twoDays.add(new Observation(Metric.SYSTOLIC_BP, NOW.minus(Duration.ofDays(2)), 120));
        ControlResult r = bp(twoDays, Optional.empty());
        assertThat(r.status()).isEqualTo(ControlStatus.UNKNOWN);
        assertThat(r.basis()).isEqualTo("none");
        assertThat(bp(List.of(), Optional.empty()).status()).isEqualTo(ControlStatus.UNKNOWN);
    }

    @Test
    void readingsOlderThanSevenDaysDoNotCount() {
        List<Observation> old = new ArrayList<>();
        for (Observation o : homeBp(10, 120, 70)) {
            if (o.at().isBefore(NOW.minus(Duration.ofDays(7)))) {
                old.add(o);
            }
        }
        assertThat(old).isNotEmpty();
        assertThat(bp(old, Optional.empty()).status()).isEqualTo(ControlStatus.UNKNOWN);
    }

    /** Verifies that an office BP taken after the newest home reading decides, against 140/90. */
    @Test
    void aMoreRecentOfficeMeasurementDecides() {
        List<Observation> home = homeBp(4, 150, 95).stream().filter(o -> o.at().isBefore(NOW.minus(Duration.ofDays(2))))
                .toList();
        OfficeMeasurement office = new OfficeMeasurement(LocalDate.of(2026, 12, 4), 138.0, 88.0, null);

        ControlResult r = bp(home, Optional.of(office));

        assertThat(r.status()).isEqualTo(ControlStatus.CONTROLLED);
        assertThat(r.basis()).isEqualTo("office");
        assertThat(r.figures()).containsEntry("officeSystolic", 138.0).containsEntry("officeOn", "2026-12-04");
        // An older office value gives way to the home mean.
        OfficeMeasurement older = new OfficeMeasurement(LocalDate.of(2026, 11, 20), 130.0, 80.0, null);
        assertThat(bp(homeBp(4, 150, 95), Optional.of(older)).status()).isEqualTo(ControlStatus.UNCONTROLLED);
        // Without enough home readings, an office value within a quarter decides.
        assertThat(bp(List.of(), Optional.of(older)).basis()).isEqualTo("office");
        OfficeMeasurement stale = new OfficeMeasurement(LocalDate.of(2026, 8, 1), 130.0, 80.0, null);
        assertThat(bp(List.of(), Optional.of(stale)).status()).isEqualTo(ControlStatus.UNKNOWN);
    }

    @Test
    void theAgeBandPicksTheTarget() {
        ControlRules rules = new ControlRules("test", List.of(
                new AgeBand(0, new BpTarget(135, 85), new BpTarget(140, 90)),
                new AgeBand(65, new BpTarget(145, 85), new BpTarget(150, 90))),
                Duration.ofDays(7), 6, 3, Duration.ofDays(90), 7.0, Duration.ofDays(14), 1, 88, Duration.ofDays(7), 3,
                2.0, Duration.ofDays(3), Duration.ofDays(7), java.time.ZoneId.of("Asia/Shanghai"));
        ControlEvaluator e = new ControlEvaluator(rules);
        List<Observation> home = homeBp(3, 142, 80);

        assertThat(e.evaluate(Condition.HYPERTENSION, 70, home, Optional.empty(), NOW).status())
                .isEqualTo(ControlStatus.CONTROLLED);
        assertThat(e.evaluate(Condition.HYPERTENSION, 50, home, Optional.empty(), NOW).status())
                .isEqualTo(ControlStatus.UNCONTROLLED);
        assertThat(e.evaluate(Condition.HYPERTENSION, null, home, Optional.empty(), NOW).status())
                .as("unknown age: the first band").isEqualTo(ControlStatus.UNCONTROLLED);
    }

    @Test
    void onlyFastingGlucoseDecidesDiabetesControl() {
        Instant t = NOW.minus(Duration.ofDays(1));
        List<Observation> nonFasting = List.of(
                new Observation(Metric.GLUCOSE, t, 5.5, MeasurementContext.AFTER_MEAL),
                new Observation(Metric.GLUCOSE, t.plusSeconds(60), 5.2, null),
                new Observation(Metric.GLUCOSE, t.plusSeconds(120), 5.0, MeasurementContext.RANDOM));

        ControlResult none = evaluator.evaluate(Condition.DIABETES, null, nonFasting, Optional.empty(), NOW);
        assertThat(none.status()).isEqualTo(ControlStatus.UNKNOWN);
        assertThat(none.figures()).containsEntry("fastingReadings", 0).containsEntry("otherGlucoseReadings", 3);

        List<Observation> fasting = new ArrayList<>(nonFasting);
        fasting.add(new Observation(Metric.GLUCOSE, t.minusSeconds(3600), 6.8, MeasurementContext.FASTING));
        fasting.add(new Observation(Metric.GLUCOSE, t.minus(Duration.ofDays(3)), 7.4, MeasurementContext.FASTING));
        ControlResult r = evaluator.evaluate(Condition.DIABETES, null, fasting, Optional.empty(), NOW);
        assertThat(r.status()).as("mean 7.1").isEqualTo(ControlStatus.UNCONTROLLED);
        assertThat(r.figures()).containsEntry("fastingReadings", 2).containsEntry("fastingMean", 7.1);
    }

    @Test
    void copdAndHeartFailureAreHomeMonitoringStatuses() {
        Instant t = NOW.minus(Duration.ofDays(1));
        List<Observation> spo2 = List.of(new Observation(Metric.SPO2, t, 90), new Observation(Metric.SPO2, t.minusSeconds(9000), 87),
                new Observation(Metric.SPO2, t.minusSeconds(90000), 89));
        ControlResult copd = evaluator.evaluate(Condition.COPD, null, spo2, Optional.empty(), NOW);
        assertThat(copd.status()).as("mean 88.7 from 88").isEqualTo(ControlStatus.CONTROLLED);
        assertThat(copd.basis()).isEqualTo("home_monitoring");
        assertThat(copd.reason()).contains("not a diagnosis");

        List<Observation> weight = List.of(new Observation(Metric.BODY_WEIGHT, t, 72.6),
                new Observation(Metric.BODY_WEIGHT, t.minus(Duration.ofDays(2)), 70.5),
                new Observation(Metric.BODY_WEIGHT, t.minus(Duration.ofDays(4)), 69.0));
        ControlResult hf = evaluator.evaluate(Condition.HEART_FAILURE, null, weight, Optional.empty(), NOW);
        assertThat(hf.status()).as("+2.1 kg in 2 days").isEqualTo(ControlStatus.UNCONTROLLED);
        assertThat(hf.figures()).containsEntry("gainKg", 2.1);
        assertThat(evaluator.evaluate(Condition.HEART_FAILURE, null, weight.subList(0, 1), Optional.empty(), NOW).status())
                .isEqualTo(ControlStatus.UNKNOWN);
    }

    @Test
    void copdFromTotalsIsTheStatusFromTheReadings() {
        Instant t = NOW.minus(Duration.ofHours(1));
        List<Observation> spo2 = List.of(new Observation(Metric.SPO2, t, 90), new Observation(Metric.SPO2, t, 87),
                new Observation(Metric.SPO2, t, 86));
        ControlResult fromReadings = evaluator.evaluate(Condition.COPD, null, spo2, Optional.empty(), NOW);
        ControlResult fromTotals = evaluator.copd(new ReadingTotals(3, 263), NOW);
        assertThat(fromReadings.status()).as("mean 87.7 below 88").isEqualTo(ControlStatus.UNCONTROLLED);
        assertThat(fromTotals).isEqualTo(fromReadings);
        assertThat(evaluator.copd(new ReadingTotals(2, 180), NOW).status()).as("too few").isEqualTo(ControlStatus.UNKNOWN);
    }

    @Test
    void eachConditionReadsItsOwnMetricsAsFarBackAsItsWindow() {
        assertThat(ControlEvaluator.metrics(Condition.HYPERTENSION)).containsExactly(Metric.SYSTOLIC_BP, Metric.DIASTOLIC_BP);
        assertThat(ControlEvaluator.metrics(Condition.COPD)).containsExactly(Metric.SPO2);
        assertThat(evaluator.lookback(Condition.HEART_FAILURE)).as("the weight window and the gain period before it")
                .isEqualTo(Duration.ofDays(10));
        assertThat(evaluator.lookback()).as("the longest, diabetes'").isEqualTo(Duration.ofDays(14));
    }
}
