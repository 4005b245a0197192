package org.vigil.alerting.clinical;

import org.vigil.common.model.Condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vigil.alerting.clinical.Fixtures.T0;
import static org.vigil.alerting.clinical.Fixtures.day;

import java.util.List;
import java.util.function.DoubleToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/** NEWS2 parameter scores at every band edge, and the composite rule built on them. */
@Timeout(10)
class News2Test {

    private static DoubleToIntFunction parameter(String name) {
        return switch (name) {
            case "resp" -> News2Score::respiratoryRate;
            case "spo2" -> News2Score::spo2Scale1;
            case "spo2_scale2" -> News2Score::spo2Scale2;
            case "systolic" -> News2Score::systolic;
            case "pulse" -> News2Score::pulse;
            default -> News2Score::temperature;
        };
    }

    @ParameterizedTest(name = "{0} {1} scores {2}")
    @CsvSource({
        "resp, 8, 3", "resp, 9, 1", "resp, 11, 1", "resp, 12, 0", "resp, 20, 0", "resp, 21, 2", "resp, 24, 2", "resp, 25, 3",
        "spo2, 91, 3", "spo2, 92, 2", "spo2, 93, 2", "spo2, 94, 1", "spo2, 95, 1", "spo2, 96, 0",
        "spo2_scale2, 83, 3", "spo2_scale2, 84, 2", "spo2_scale2, 85, 2", "spo2_scale2, 86, 1", "spo2_scale2, 87, 1",
        "spo2_scale2, 88, 0", "spo2_scale2, 92, 0", "spo2_scale2, 97, 0",
        "systolic, 90, 3", "systolic, 91, 2", "systolic, 100, 2", "systolic, 101, 1", "systolic, 110, 1",
        "systolic, 111, 0", "systolic, 219, 0", "systolic, 220, 3",
        "pulse, 40, 3", "pulse, 41, 1", "pulse, 50, 1", "pulse, 51, 0", "pulse, 90, 0", "pulse, 91, 1", "pulse, 110, 1",
        "pulse, 111, 2", "pulse, 130, 2", "pulse, 131, 3",
        "temp, 35.0, 3", "temp, 35.1, 1", "temp, 36.0, 1", "temp, 36.1, 0", "temp, 38.0, 0", "temp, 38.1, 1",
        "temp, 39.0, 1", "temp, 39.1, 2",
    })
    void scoresEachParameterAsTheChartDoes(String name, double value, int score) {
        assertThat(parameter(name).applyAsInt(value)).isEqualTo(score);
    }

    private static List<AlertSignal> news2(List<AlertSignal> signals) {
        return signals.stream().filter(s -> s.ruleId().equals("news2")).toList();
    }

    @Test
    void aSingleParameterScoringThreeIsAWarning() {
        Fixtures.Feed feed = new Fixtures.Feed(PatientProfile.of(20, T0, Condition.HEART_FAILURE));
        assertThat(feed.send(1, day(0, 8, 0), Metric.SYSTOLIC_BP, 88, Metric.DIASTOLIC_BP, 60, Metric.HEART_RATE, 95))
                .singleElement().satisfies(s -> {
                    assertThat(s.ruleId()).isEqualTo("news2");
                    assertThat(s.severity()).isEqualTo(Severity.WARNING);
                    assertThat(s.metric()).isEqualTo(Metric.SYSTOLIC_BP);
                    assertThat(s.value()).isEqualTo(4.0);
                    assertThat(s.detail()).isEqualTo("NEWS2 4 from 2 of 5 parameters: systolic 88 → 3, pulse 95 → 1;"
                            + " an aid at home, validated for acute care");
                });
    }

    @Test
    void aTotalOfFiveWarnsAndSevenIsCritical() {
        Fixtures.Feed feed = new Fixtures.Feed(PatientProfile.of(21, T0, Condition.HEART_FAILURE));
        assertThat(feed.send(3, day(0, 8, 0), Metric.RESP_RATE, 23)).as("one parameter is not enough").isEmpty();
        assertThat(feed.send(2, day(0, 8, 2), Metric.SPO2, 94)).as("2 + 1").isEmpty();
        assertThat(feed.send(3, day(0, 8, 3), Metric.RESP_RATE, 23)).as("still 3: repeats are no evidence of more").isEmpty();
        assertThat(Fixtures.lines(feed.send(1, day(0, 8, 5), Metric.SYSTOLIC_BP, 115, Metric.HEART_RATE, 112)))
                .as("2 + 1 + 0 + 2").containsExactly("2026-03-02T08:05:00Z news2 OPEN warning");
        assertThat(feed.send(4, day(0, 8, 7), Metric.BODY_TEMP, 39.0)).as("39.0 scores 1: total 6, still a warning")
                .isEmpty();
        List<AlertSignal> fever = feed.send(4, day(0, 8, 9), Metric.BODY_TEMP, 39.1);
        assertThat(fever).extracting(AlertSignal::ruleId).containsExactly("body_temp_high", "news2");
        assertThat(news2(fever)).as("39.1 scores 2: total 7").singleElement().satisfies(s -> {
            assertThat(s.kind()).isEqualTo(Kind.WORSEN);
            assertThat(s.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(s.value()).isEqualTo(7.0);
        });
    }

    @Test
    void copdPatientsAreScoredOnSaturationScaleTwo() {
        Fixtures.Feed copd = new Fixtures.Feed(PatientProfile.of(22, T0, Condition.COPD));
        Fixtures.Feed other = new Fixtures.Feed(PatientProfile.of(23, T0, Condition.HYPERTENSION));
        copd.send(2, day(0, 8, 0), Metric.SPO2, 88, Metric.HEART_RATE, 80);
        other.send(2, day(0, 8, 0), Metric.SPO2, 88, Metric.HEART_RATE, 80);
        assertThat(copd.signals).isEmpty();
        assertThat(news2(other.signals)).singleElement().extracting(AlertSignal::severity).isEqualTo(Severity.WARNING);
    }

    @Test
    void onlyValuesMeasuredWithinFourHoursCount() {
        Fixtures.Feed stale = new Fixtures.Feed(PatientProfile.of(24, T0));
        stale.send(3, day(0, 8, 0), Metric.RESP_RATE, 26);
        stale.send(2, day(0, 12, 1), Metric.SPO2, 97);
        Fixtures.Feed fresh = new Fixtures.Feed(PatientProfile.of(25, T0));
        fresh.send(3, day(0, 8, 0), Metric.RESP_RATE, 26);
        fresh.send(2, day(0, 12, 0), Metric.SPO2, 97);
        assertThat(news2(stale.signals)).isEmpty();
        assertThat(news2(fresh.signals)).singleElement().extracting(AlertSignal::value).isEqualTo(3.0);
    }

    @Test
    void aWearablesStreamIsNotAnObservationOfTheChart() {
        Fixtures.Feed feed = new Fixtures.Feed(PatientProfile.of(26, T0));
        feed.stream(Metric.SPO2, day(0, 7, 0), 20, 97);
        feed.stream(Metric.SPO2, day(0, 7, 1), 60, 86);
        feed.send(1, day(0, 7, 2), Metric.SYSTOLIC_BP, 120, Metric.HEART_RATE, 80);
        assertThat(feed.signals).isEmpty();
    }
}
