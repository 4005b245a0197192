package org.vigil.alerting.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.alerting.clinical.RuleSpec;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;

@Timeout(10)
class AlertingConfigTest {

    @Test
    void theDefaultsAreTheBuiltInClinicalRulesWithTheStableThresholdIds() {
        AlertingConfig config = AlertingConfig.from(Settings.of(Map.of()));
        assertThat(config.clinicalRules().source()).isEqualTo("built-in defaults");
        assertThat(config.clinicalRules().rules().rules()).extracting(RuleSpec::id).contains(
                "blood_pressure_high", "glucose_low", "glucose_high", "spo2_low", "heart_rate_abnormal");
        assertThat(config.tickInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.feedHeartbeat()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void aRulesFileReplacesTheDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rules.json");
        Files.writeString(file, """
                {"rules": [{"id": "fever", "type": "threshold", "title": "Fever", "source": "test", "bands": [
                    {"severity": "warning", "anyOf": [{"metric": "body_temp", "op": ">", "value": 39}]}]}]}""");
        AlertingConfig config = AlertingConfig.from(Settings.of(Map.of(ClinicalRulesConfig.RULES_FILE, file.toString(),
                AlertingConfig.TICK, "5s")));
        assertThat(config.clinicalRules().rules().rules()).extracting(RuleSpec::id).containsExactly("fever");
        assertThat(config.clinicalRules().source()).isEqualTo(file.toString());
        assertThat(config.tickInterval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> AlertingConfig.from(Settings.of(Map.of(AlertingConfig.TICK, "0s"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(AlertingConfig.TICK);
        assertThatThrownBy(() -> AlertingConfig.from(Settings.of(Map.of(ClinicalRulesConfig.RULES_FILE, "/no/such/file"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ClinicalRulesConfig.RULES_FILE);
        assertThatThrownBy(() -> AlertingConfig.from(Settings.of(Map.of(AlertingConfig.RETIRED_RULES_FILE, "rules.json"))))
                .as("the retired threshold rules file is refused, not silently ignored")
                .isInstanceOf(ConfigException.class).hasMessageContaining(ClinicalRulesConfig.RULES_FILE);
    }
}
