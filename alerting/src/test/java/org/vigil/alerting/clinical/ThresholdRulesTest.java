package org.vigil.alerting.clinical;

import org.vigil.common.model.Condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vigil.alerting.clinical.Fixtures.T0;
import static org.vigil.alerting.clinical.Fixtures.day;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/** The built-in threshold rules at and around every documented threshold, by condition and care plan. */
@Timeout(10)
class ThresholdRulesTest {

    private static final Instant AT = day(0, 8, 0);

    private static List<AlertSignal> single(PatientProfile profile, String metric, double value) {
        return new Fixtures.Feed(profile).send(1, AT, Metric.byName(metric), value);
    }

    private static PatientProfile general() {
        return PatientProfile.of(1, T0, Condition.HYPERTENSION, Condition.DIABETES);
    }

    private static PatientProfile copd() {
        return PatientProfile.of(2, T0, Condition.COPD);
    }

    @ParameterizedTest(name = "{0} = {1} -> {2} {3}")
    @CsvSource({
        "systolic_bp, 180, blood_pressure_high, critical",
        "systolic_bp, 179, blood_pressure_high, warning",
        "systolic_bp, 160, blood_pressure_high, warning",
        "diastolic_bp, 110, blood_pressure_high, critical",
        "diastolic_bp, 100, blood_pressure_high, warning",
        "glucose, 2.9, glucose_low, critical",
        "glucose, 3.0, glucose_low, warning",
        "glucose, 3.9, glucose_low, warning",
        "glucose, 16.7, glucose_high, critical",
        "spo2, 89.9, spo2_low, critical",
        "spo2, 90, spo2_low, warning",
        "spo2, 91.9, spo2_low, warning",
        "body_temp, 39.1, body_temp_high, critical",
        "heart_rate, 151, heart_rate_abnormal, critical",
        "heart_rate, 39, heart_rate_abnormal, critical",
    })
    void opens(String metric, double value, String rule, String severity) {
        assertThat(single(general(), metric, value)).singleElement().satisfies(s -> {
            assertThat(s.ruleId()).isEqualTo(rule);
            assertThat(s.kind()).isEqualTo(Kind.OPEN);
            assertThat(s.severity()).isEqualTo(Severity.fromWire(severity));
            assertThat(s.value()).isEqualTo(value);
            assertThat(s.measuredAt()).isEqualTo(AT.toEpochMilli());
            assertThat(s.late()).isFalse();
        });
    }

    @ParameterizedTest(name = "{0} = {1} is quiet")
    @CsvSource({
        "systolic_bp, 159", "diastolic_bp, 99", "glucose, 4.0", "glucose, 16.6", "spo2, 92", "spo2, 97",
        "body_temp, 39.0", "heart_rate, 150", "heart_rate, 40", "resp_rate, 30", "body_weight, 80",
    })
    void staysQuiet(String metric, double value) {
        assertThat(single(general(), metric, value)).isEmpty();
    }

    @ParameterizedTest(name = "COPD: spo2 = {0} -> {1}")
    @CsvSource({"83, critical", "83.9, critical", "84, warning", "87.9, warning", "88, ''", "90, ''", "91, ''"})
    void copdPatientsAreHeldToTheirOwnSaturationTarget(double value, String severity) {
        List<AlertSignal> signals = single(copd(), "spo2", value);
        if (severity.isEmpty()) {
            assertThat(signals).isEmpty();
            return;
        }
        assertThat(signals).singleElement().satisfies(s -> {
            assertThat(s.ruleId()).isEqualTo("spo2_low");
            assertThat(s.severity()).isEqualTo(Severity.fromWire(severity));
        });
    }

    @Test
    void aCarePlanOverrideReplacesTheBands() {
        PatientProfile strict = general().withOverride("blood_pressure_high", List.of(
                new Band(Severity.WARNING, List.of(new Threshold(Metric.SYSTOLIC_BP, Comparison.GE, 150)))));
        assertThat(single(strict, "systolic_bp", 149)).isEmpty();
        assertThat(single(strict, "systolic_bp", 150)).singleElement().extracting(AlertSignal::severity)
                .isEqualTo(Severity.WARNING);
        assertThat(single(strict, "systolic_bp", 185)).as("the care plan has no critical band")
                .singleElement().extracting(AlertSignal::severity).isEqualTo(Severity.WARNING);
        assertThat(single(strict, "diastolic_bp", 105)).as("diastolic is not in the care plan's bands").isEmpty();
    }

    @Test
    void aCarePlanThatOverridesWhatCannotBeOverriddenIsRefused() {
        ClinicalEngine engine = new ClinicalEngine(Fixtures.defaults());
        List<Band> bands = List.of(new Band(Severity.WARNING, List.of(new Threshold(Metric.SPO2, Comparison.LT, 93))));
        assertThatThrownBy(() -> engine.validate(general().withOverride("bp_mean_high", bands)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bp_mean_high");
        assertThatThrownBy(() -> engine.validate(general().withOverride("no_such_rule", bands)))
                .hasMessageContaining("no_such_rule");
        assertThatThrownBy(() -> engine.validate(general().withOverride("heart_rate_high_sustained", bands)))
                .hasMessageContaining("heart_rate");
        engine.validate(general().withOverride("spo2_low_sustained", bands));
    }

    @Test
    void aBloodPressurePairIsOneObservationSoANormalDiastolicDoesNotClearAHighSystolic() {
        Fixtures.Feed feed = new Fixtures.Feed(general());
        assertThat(Fixtures.lines(feed.bp(day(0, 7, 0), 186, 80)))
                .containsExactly("2026-03-02T07:00:00Z blood_pressure_high OPEN critical");
        feed.send(1, day(0, 7, 0), Metric.DIASTOLIC_BP, 80);
        feed.bp(day(0, 19, 0), 128, 80);
        assertThat(Fixtures.lines(feed.bp(day(1, 7, 0), 126, 78)))
                .as("two measurements in range, not three readings")
                .containsExactly("2026-03-03T07:00:00Z blood_pressure_high BACK_IN_RANGE critical");
    }

    @Test
    void aStreamDoesNotOpenSpotThresholdsItIsLeftToSustainedRules() {
        Fixtures.Feed feed = new Fixtures.Feed(general());
        feed.stream(Metric.SPO2, day(0, 1, 0), 30, 96);
        assertThat(feed.stream(Metric.SPO2, day(0, 1, 1), 60, 86)).as("one minute of a dip on a wearable").isEmpty();
        assertThat(feed.stream(Metric.SPO2, day(0, 3, 0), 60, 86))
                .as("a new session of a device known to stream").isEmpty();
        assertThat(feed.send(2, day(0, 8, 0), Metric.SPO2, 86)).as("a finger oximeter's spot check")
                .extracting(AlertSignal::ruleId).containsExactly("spo2_low");
    }
}
