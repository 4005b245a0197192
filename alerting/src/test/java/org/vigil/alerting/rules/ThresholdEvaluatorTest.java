package org.vigil.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vigil.alerting.config.AlertingConfig;
import org.vigil.common.config.Settings;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;
import org.vigil.common.model.Severity;

/** Verifies the built-in rule set at and around every documented threshold. */
@Timeout(10)
class ThresholdEvaluatorTest {

    private final ThresholdEvaluator evaluator =
            new ThresholdEvaluator(AlertingConfig.from(Settings.of(Map.of())).rules());

    private List<RuleHit> evaluate(String metric, double value) {
        return evaluator.evaluate(new Reading(1, 2, Metric.byName(metric), 1_000, value));
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
        "glucose, 3.8, glucose_low, warning",
        "glucose, 16.8, glucose_high, critical",
        "spo2, 87, spo2_low, critical",
        "spo2, 88, spo2_low, warning",
        "spo2, 89.9, spo2_low, warning",
        "heart_rate, 151, heart_rate_abnormal, critical",
        "heart_rate, 39, heart_rate_abnormal, critical",
    })
    void fires(String metric, double value, String rule, String severity) {
        assertThat(evaluate(metric, value)).singleElement().satisfies(hit -> {
            assertThat(hit.ruleId()).isEqualTo(rule);
            assertThat(hit.severity()).isEqualTo(Severity.fromWire(severity));
        });
    }

    @ParameterizedTest(name = "{0} = {1} is quiet")
    @CsvSource({
        "systolic_bp, 159", "diastolic_bp, 99", "glucose, 3.9", "glucose, 16.7", "glucose, 7.2",
        "spo2, 90", "spo2, 97", "heart_rate, 40", "heart_rate, 150", "heart_rate, 72",
        "body_weight, 80", "body_temp, 37", "resp_rate, 30",
    })
    void staysQuiet(String metric, double value) {
        assertThat(evaluate(metric, value)).isEmpty();
    }

    @Test
    void theMostSevereBandWinsWhateverOrderTheConfigurationLists() {
        ThresholdRule rule = new ThresholdRule("r", "r", "", List.of(
                new Band(Severity.WARNING, List.of(new Threshold(Metric.SPO2, Comparison.LT, 95))),
                new Band(Severity.CRITICAL, List.of(new Threshold(Metric.SPO2, Comparison.LT, 90)))));
        ThresholdEvaluator custom = new ThresholdEvaluator(List.of(rule));

        assertThat(custom.evaluate(new Reading(1, 2, Metric.SPO2, 0, 85)))
                .singleElement().extracting(RuleHit::severity).isEqualTo(Severity.CRITICAL);
        assertThat(custom.evaluate(new Reading(1, 2, Metric.SPO2, 0, 93)))
                .singleElement().extracting(RuleHit::severity).isEqualTo(Severity.WARNING);
    }
}
