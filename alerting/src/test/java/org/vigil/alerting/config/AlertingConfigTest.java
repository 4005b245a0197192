package org.vigil.alerting.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.alerting.rules.ThresholdRule;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;

@Timeout(10)
class AlertingConfigTest {

    @Test
    void theBuiltInRulesCarryTheirSources() {
        AlertingConfig config = AlertingConfig.from(Settings.of(Map.of()));
        assertThat(config.rules()).extracting(ThresholdRule::id).containsExactly(
                "blood_pressure_high", "glucose_low", "glucose_high", "spo2_low", "heart_rate_abnormal");
        assertThat(config.rules()).allSatisfy(rule -> assertThat(rule.source()).isNotBlank());
    }

    @Test
    void aRulesFileReplacesTheDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rules.json");
        Files.writeString(file, """
                {"rules": [{"id": "fever", "title": "Fever", "bands": [
                    {"severity": "warning", "anyOf": [{"metric": "body_temp", "op": ">", "value": 39}]}]}]}""");
        AlertingConfig config = AlertingConfig.from(Settings.of(Map.of(AlertingConfig.RULES_FILE, file.toString())));
        assertThat(config.rules()).extracting(ThresholdRule::id).containsExactly("fever");
        assertThat(config.rulesSource()).isEqualTo(file.toString());
    }

    @Test
    void errorsNameTheKeyAndThePlaceInTheDocument() {
        assertThatThrownBy(() -> AlertingConfig.parseRules("{\"rules\": [{\"id\": \"x\", \"bands\": [{\"severity\": \"warning\","
                + " \"anyOf\": [{\"metric\": \"mood\", \"op\": \">\", \"value\": 1}]}]}]}", "VIGIL_ALERT_RULES_FILE"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("VIGIL_ALERT_RULES_FILE rules[0].bands[0].anyOf[0].metric:");
        assertThatThrownBy(() -> AlertingConfig.parseRules("{\"rules\": [{\"id\": \"x\", \"bands\": [{\"severity\": \"urgent\","
                + " \"anyOf\": []}]}]}", "K")).hasMessageStartingWith("K rules[0].bands[0].severity:");
        assertThatThrownBy(() -> AlertingConfig.parseRules("not json", "K")).hasMessageStartingWith("K:");
        assertThatThrownBy(() -> AlertingConfig.parseRules("{\"rules\": [{\"id\": \"a\", \"bands\": [{\"severity\": \"warning\","
                + " \"anyOf\": [{\"metric\": \"spo2\", \"op\": \"=\", \"value\": 1}]}]}]}", "K"))
                .hasMessageStartingWith("K rules[0].bands[0].anyOf[0].op:");
    }
}
