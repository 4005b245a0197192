package org.vigil.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class SettingsTest {

    @Test
    void readsDurationsInEveryDocumentedForm() {
        Settings s = Settings.of(Map.of("A", "250ms", "B", "30s", "C", "15m", "D", "2h", "E", "30d", "F", "PT1M"));
        assertThat(s.duration("A", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
        assertThat(s.duration("B", Duration.ZERO)).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.duration("C", Duration.ZERO)).isEqualTo(Duration.ofMinutes(15));
        assertThat(s.duration("D", Duration.ZERO)).isEqualTo(Duration.ofHours(2));
        assertThat(s.duration("E", Duration.ZERO)).isEqualTo(Duration.ofDays(30));
        assertThat(s.duration("F", Duration.ZERO)).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.duration("MISSING", Duration.ofSeconds(7))).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void invalidValuesFailWithTheKeyInTheMessage() {
        Settings s = Settings.of(Map.of("VIGIL_X", "ten", "VIGIL_Y", "70000", "VIGIL_Z", "soon", "VIGIL_B", "maybe"));
        assertThatThrownBy(() -> s.integer("VIGIL_X", 1, 0, 10)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("VIGIL_X:");
        assertThatThrownBy(() -> s.integer("VIGIL_Y", 1, 0, 65535)).hasMessageContaining("VIGIL_Y")
                .hasMessageContaining("0..65535");
        assertThatThrownBy(() -> s.duration("VIGIL_Z", Duration.ZERO)).hasMessageStartingWith("VIGIL_Z:");
        assertThatThrownBy(() -> s.bool("VIGIL_B", true)).hasMessageStartingWith("VIGIL_B:");
    }

    @Test
    void aDurationWithALeastValueRefusesLessAndTakesTheRest() {
        Settings s = Settings.of(Map.of("VIGIL_SHORT", "5ms", "VIGIL_EXACT", "10ms"));
        assertThatThrownBy(() -> s.duration("VIGIL_SHORT", Duration.ofSeconds(1), Duration.ofMillis(10)))
                .isInstanceOf(ConfigException.class).hasMessage("VIGIL_SHORT: must be at least 10ms");
        assertThat(s.duration("VIGIL_EXACT", Duration.ofSeconds(1), Duration.ofMillis(10))).isEqualTo(Duration.ofMillis(10));
        assertThat(s.duration("VIGIL_MISSING", Duration.ofSeconds(1), Duration.ofMillis(10))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void environmentOverridesTheFileWhichOverridesDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vigil.properties");
        Files.writeString(file, "VIGIL_HTTP_PORT=9090\nVIGIL_MQTT_PORT=1999\n");
        Settings s = Settings.fromEnvironment(Map.of(
                "VIGIL_CONFIG_FILE", file.toString(), "VIGIL_MQTT_PORT", "2883", "PATH", "/usr/bin"));
        assertThat(s.integer("VIGIL_HTTP_PORT", 8080, 0, 65535)).isEqualTo(9090);
        assertThat(s.integer("VIGIL_MQTT_PORT", 1883, 0, 65535)).isEqualTo(2883);
        assertThat(s.integer("VIGIL_OTHER", 5, 0, 10)).isEqualTo(5);
        assertThat(s.optional("PATH")).as("only VIGIL_ variables are read").isEmpty();
    }

    @Test
    void aMissingConfigFileIsNamed() {
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("VIGIL_CONFIG_FILE", "/nonexistent/vigil.properties")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("VIGIL_CONFIG_FILE:");
    }

    /** Verifies that the node's name is checked once, here, for every module that names the node by it. */
    @Test
    void aNodeIdHasOneToAHundredCharacters() {
        assertThat(Settings.of(Map.of(Settings.NODE_ID, "clinic-7")).nodeId()).isEqualTo("clinic-7");
        assertThat(Settings.of(Map.of(Settings.NODE_ID, "n".repeat(100))).nodeId()).hasSize(100);
        assertThat(Settings.of(Map.of()).nodeId()).as("the host name by default").isNotBlank();
        assertThat(Settings.of(Map.of(Settings.NODE_ID, "  ")).nodeId()).as("blank is unset: the host name")
                .isEqualTo(Settings.of(Map.of()).nodeId());
        assertThatThrownBy(() -> Settings.of(Map.of(Settings.NODE_ID, "n".repeat(101))).nodeId())
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo(Settings.NODE_ID))
                .hasMessage("VIGIL_NODE_ID: 1 to 100 characters");
    }
}
