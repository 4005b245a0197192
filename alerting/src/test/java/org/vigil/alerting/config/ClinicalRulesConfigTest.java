package org.vigil.alerting.config;

import org.vigil.common.model.Condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.alerting.clinical.ClinicalRules;
import org.vigil.alerting.clinical.LifecycleSettings;
import org.vigil.alerting.clinical.RuleSpec;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

@Timeout(10)
class ClinicalRulesConfigTest {

    @Test
    void theBuiltInRulesCarryTheirSources() {
        ClinicalRulesConfig config = ClinicalRulesConfig.from(Settings.of(Map.of()));
        ClinicalRules rules = config.rules();
        assertThat(config.source()).isEqualTo("built-in defaults");
        assertThat(rules.rules()).extracting(RuleSpec::id).containsExactly(
                "blood_pressure_high", "glucose_low", "glucose_high", "spo2_low", "body_temp_high", "heart_rate_abnormal",
                "spo2_low_sustained", "heart_rate_high_sustained", "bp_mean_high", "weight_gain", "spo2_baseline_drop",
                "glucose_low_share", "news2", "missing");
        assertThat(rules.rules()).allSatisfy(rule -> assertThat(rule.source()).isNotBlank());
        assertThat(rules.streamGap()).isEqualTo(Duration.ofSeconds(15));
        assertThat(rules.lateHorizon()).isEqualTo(Duration.ofDays(1));
        assertThat(rules.zone()).isEqualTo(ZoneId.of("Asia/Shanghai"));
        RuleSpec.MeanAbove mean = (RuleSpec.MeanAbove) rules.rule("bp_mean_high");
        assertThat(mean.minDays()).isEqualTo(3);
        assertThat(mean.source()).contains("at least 3 days");
        assertThat(((RuleSpec.ThresholdBands) rules.rule("glucose_low")).lifecycle().autoClear())
                .as("warnings clear themselves, critical alerts wait for a doctor").containsExactly(Severity.WARNING);
    }

    /** Verifies that each built-in rule's figure has the unit it is measured in, not always its metric's. */
    @Test
    void eachRulesFigureHasItsOwnUnit() {
        ClinicalRules rules = ClinicalRulesConfig.parse(ClinicalRulesConfig.builtIn(), "clinical-rules.json");
        assertThat(rules.valueUnit("blood_pressure_high", Metric.SYSTOLIC_BP)).isEqualTo("mm[Hg]");
        assertThat(rules.valueUnit("weight_gain", Metric.BODY_WEIGHT)).isEqualTo("kg");
        assertThat(rules.valueUnit("missing_body_weight", Metric.BODY_WEIGHT)).isEqualTo("h");
        assertThat(rules.valueUnit("news2", Metric.RESP_RATE)).isEqualTo("{score}");
        assertThat(rules.valueUnit("glucose_low_share", Metric.GLUCOSE)).isEqualTo("%");
        assertThat(rules.valueUnit("missing_glucose", Metric.BODY_WEIGHT)).as("another metric's missing rule")
                .isEqualTo("kg");
        assertThat(rules.valueUnit("retired_rule", Metric.GLUCOSE)).as("a rule no longer in the set").isEqualTo("mmol/L");
    }

    /**
     * Verifies that letting an alert clear itself is a written decision: {@code autoClear} needs
     * {@code autoClearReason}, and a rule may override it.
     */
    @Test
    void whichSeveritiesClearThemselvesIsConfigurationWithAReason() {
        ClinicalRules rules = ClinicalRulesConfig.parse(sustained("\"minDuration\": \"5m\", \"lifecycle\":"
                + " {\"autoClear\": [\"warning\", \"critical\"], \"autoClearReason\": \"a wearable trial\"}"), "K");
        assertThat(((RuleSpec.Sustained) rules.rules().get(0)).lifecycle().autoClear())
                .containsExactlyInAnyOrder(Severity.WARNING, Severity.CRITICAL);
        assertThat(((RuleSpec.Sustained) ClinicalRulesConfig.parse(sustained("\"minDuration\": \"5m\""), "K").rules()
                .get(0)).lifecycle().autoClear()).as("the default").containsExactly(Severity.WARNING);
        assertThatThrownBy(() -> ClinicalRulesConfig.parse(sustained("\"minDuration\": \"5m\", \"lifecycle\":"
                + " {\"autoClear\": [\"critical\"]}"), "K"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("K rules[0].lifecycle.autoClearReason: is required");
        assertThatThrownBy(() -> ClinicalRulesConfig.parse("{\"lifecycle\": {\"autoClear\": [\"urgent\"],"
                + " \"autoClearReason\": \"r\"}, \"rules\": []}", "K"))
                .hasMessageStartingWith("K lifecycle.autoClear[0]: must be warning or critical");
    }

    @Test
    void theTimeZoneAndTheDaysOfAMeanAreChecked() {
        assertThat(ClinicalRulesConfig.parse("{\"timeZone\": \"Europe/Berlin\", \"rules\": []}", "K").zone())
                .isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThatThrownBy(() -> ClinicalRulesConfig.parse("{\"timeZone\": \"Mars/Olympus\", \"rules\": []}", "K"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("K timeZone: unknown time zone Mars/Olympus");
        assertThatThrownBy(() -> ClinicalRulesConfig.parse(mean("\"window\": \"7d\", \"minDays\": 9"), "K"))
                .hasMessageStartingWith("K rules[0]: rule m: minDays must be between 1 and 8");
        assertThatThrownBy(() -> ClinicalRulesConfig.parse(mean("\"window\": \"6h\""), "K"))
                .as("the default of 3 days does not fit a 6-hour window")
                .hasMessageStartingWith("K rules[0]: rule m: minDays must be between 1 and 2");
        assertThat(((RuleSpec.MeanAbove) ClinicalRulesConfig.parse(mean("\"window\": \"6h\", \"minDays\": 1"), "K")
                .rules().get(0)).minDays()).isEqualTo(1);
    }

    private static String mean(String more) {
        return "{\"rules\": [{\"id\": \"m\", \"type\": \"mean_above\", \"source\": \"src\", \"bucket\": \"1h\","
                + " \"severity\": \"warning\", \"limits\": [{\"metric\": \"systolic_bp\", \"op\": \">=\", \"value\": 135}], "
                + more + "}]}";
    }

    @Test
    void conditionVariantsAndLifecycleOverridesAreRead() {
        ClinicalRules rules = ClinicalRulesConfig.parse(ClinicalRulesConfig.builtIn(), "K");
        RuleSpec.ThresholdBands spo2 = (RuleSpec.ThresholdBands) rules.rule("spo2_low");
        assertThat(spo2.input()).isEqualTo(RuleSpec.Input.SPOT);
        assertThat(spo2.byCondition()).singleElement().satisfies(v -> {
            assertThat(v.condition()).isEqualTo(Condition.COPD);
            assertThat(v.source()).contains("88-92");
            assertThat(v.bands().get(0).severity()).isEqualTo(Severity.CRITICAL);
            assertThat(v.bands().get(1).anyOf().get(0).value()).isEqualTo(88.0);
        });
        RuleSpec.Sustained sustained = (RuleSpec.Sustained) rules.rule("spo2_low_sustained");
        assertThat(sustained.minDuration()).isEqualTo(Duration.ofMinutes(5));
        assertThat(sustained.tolerance()).isEqualTo(Duration.ofSeconds(30));
        assertThat(sustained.lifecycle()).as("keys not overridden come from the top-level lifecycle")
                .isEqualTo(new LifecycleSettings(3, Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(6), 2));
        assertThat(((RuleSpec.Gain) rules.rule("weight_gain")).appliesTo()).containsExactly(Condition.HEART_FAILURE);
        assertThat(((RuleSpec.News2) rules.rule("news2")).scale2For()).containsExactly(Condition.COPD);
    }

    @Test
    void aRulesFileReplacesTheDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("clinical.json");
        Files.writeString(file, """
                {"rules": [{"id": "fever", "type": "threshold", "source": "local protocol", "bands": [
                    {"severity": "warning", "anyOf": [{"metric": "body_temp", "op": ">", "value": 38.5}]}]}]}""");
        ClinicalRulesConfig config = ClinicalRulesConfig.from(Settings.of(Map.of(ClinicalRulesConfig.RULES_FILE,
                file.toString())));
        assertThat(config.source()).isEqualTo(file.toString());
        assertThat(config.rules().rules()).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo("fever");
            assertThat(((RuleSpec.ThresholdBands) r).lifecycle()).isEqualTo(LifecycleSettings.DEFAULTS);
        });
    }

    @Test
    void errorsNameTheKeyAndThePlaceInTheDocument() {
        assertThatThrownBy(() -> ClinicalRulesConfig.parse("{\"rules\": [{\"id\": \"x\", \"type\": \"magic\","
                + " \"source\": \"s\"}]}", "K")).isInstanceOf(ConfigException.class).hasMessageStartingWith("K rules[0].type:");
        assertThatThrownBy(() -> ClinicalRulesConfig.parse(sustained("\"minDuration\": \"5 minutes\""), "K"))
                .hasMessageStartingWith("K rules[0].minDuration: expected a duration");
        assertThatThrownBy(() -> ClinicalRulesConfig.parse(sustained("\"minDuration\": \"5m\", \"appliesTo\": [\"gout\"]"), "K"))
                .hasMessageStartingWith("K rules[0].appliesTo[0]: unknown condition gout");
        assertThatThrownBy(() -> ClinicalRulesConfig.parse(sustained("\"minDuration\": \"5m\", \"tolerance\": \"2m\""), "K"))
                .hasMessageStartingWith("K rules[0]: rule s: tolerance must not exceed maxGap");
        assertThatThrownBy(() -> ClinicalRulesConfig.parse("{\"lifecycle\": {\"clearReadings\": 0}, \"rules\": []}", "K"))
                .hasMessageStartingWith("K lifecycle: clearReadings must be at least 1");
        assertThatThrownBy(() -> ClinicalRulesConfig.parse("{\"rules\": [{\"id\": \"m\", \"type\": \"missing_data\","
                + " \"source\": \"s\", \"severity\": \"warning\"}, {\"id\": \"m\", \"type\": \"missing_data\","
                + " \"source\": \"s\", \"severity\": \"warning\"}]}", "K")).hasMessageStartingWith("K rules[1].id: duplicate");
        assertThatThrownBy(() -> ClinicalRulesConfig.parse("{\"rules\": [{\"id\": \"t\", \"type\": \"threshold\"}]}", "K"))
                .hasMessageStartingWith("K rules[0].source: is required");
        assertThatThrownBy(() -> ClinicalRulesConfig.parse("[", "K")).hasMessageStartingWith("K: not valid JSON");
    }

    private static String sustained(String more) {
        return "{\"rules\": [{\"id\": \"s\", \"type\": \"sustained\", \"source\": \"src\", \"maxGap\": \"1m\","
                + " \"bands\": [{\"severity\": \"warning\", \"anyOf\": [{\"metric\": \"spo2\", \"op\": \"<\", \"value\": 90}]}], "
                + more + "}]}";
    }
}
