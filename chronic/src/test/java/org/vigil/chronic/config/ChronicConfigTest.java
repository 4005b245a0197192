package org.vigil.chronic.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Period;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;

@Timeout(10)
class ChronicConfigTest {

    @TempDir
    Path dir;

    @Test
    void theDefaultsAreTheNationalStandards() {
        ChronicConfig c = ChronicConfig.defaults();
        assertThat(c.control().policy()).isEqualTo("standard");
        assertThat(c.control().band(null).home().toString()).isEqualTo("135/85");
        assertThat(c.control().band(90).office().toString()).isEqualTo("140/90");
        assertThat(c.control().bpMinReadings()).isEqualTo(6);
        assertThat(c.control().fastingTarget()).isEqualTo(7.0);
        assertThat(c.followUps().routine()).isEqualTo(Period.ofMonths(3));
        assertThat(c.followUps().recheck()).isEqualTo(Period.ofDays(14));
        assertThat(c.sweep()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void aPolicyIsChosenBySettingAndAnUnknownOneNamesTheKey() {
        ChronicConfig c = ChronicConfig.from(Settings.of(Map.of(ChronicConfig.BP_POLICY, "guideline2025")));
        assertThat(c.control().band(50).office().toString()).isEqualTo("130/80");
        assertThat(c.control().band(85).office().toString()).isEqualTo("150/90");
        assertThatThrownBy(() -> ChronicConfig.from(Settings.of(Map.of(ChronicConfig.BP_POLICY, "lax"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ChronicConfig.BP_POLICY)
                .hasMessageContaining("standard");
    }

    @Test
    void aBrokenRulesFileIsRefusedWithThePlace() throws Exception {
        Path file = dir.resolve("rules.json");
        Files.writeString(file, ChronicConfig.builtIn().replace("\"recheck\": \"P14D\"", "\"recheck\": \"two weeks\""));
        assertThatThrownBy(() -> ChronicConfig.from(Settings.of(Map.of(ChronicConfig.RULES_FILE, file.toString()))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("followUp").hasMessageContaining("recheck");
        Files.writeString(file, ChronicConfig.builtIn().replace("\"office\": [140, 90]", "\"office\": [90, 140]"));
        assertThatThrownBy(() -> ChronicConfig.from(Settings.of(Map.of(ChronicConfig.RULES_FILE, file.toString()))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bands[0]");
    }
}
