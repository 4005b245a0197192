package org.vigil.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SimulatorConfigTest {

    @Test
    void defaultsNeedOnlyAToken() {
        SimulatorConfig c = SimulatorConfig.parse("--token", "secret-token");
        assertThat(c.mqttHost()).isEqualTo("127.0.0.1");
        assertThat(c.mqttPort()).isEqualTo(1883);
        assertThat(c.api()).isEqualTo(URI.create("http://127.0.0.1:8080"));
        assertThat(c.token()).contains("secret-token");
        assertThat(c.devices()).isEqualTo(10);
        assertThat(c.rate()).isEqualTo(100.0);
        assertThat(c.duration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.maxMessages()).isEmpty();
        assertThat(c.qos()).isEqualTo(1);
        assertThat(c.batch()).isEqualTo(1);
        assertThat(c.seed()).isEqualTo(42);
        assertThat(c.prefix()).isEqualTo("sim");
        assertThat(c.devicesFile()).isEmpty();
        assertThat(c.mqttUri()).isEqualTo("tcp://127.0.0.1:1883");
    }

    @Test
    void parsesEveryOption() {
        SimulatorConfig c = SimulatorConfig.parse(
                "--mqtt-host", "localhost", "--mqtt-port", "11883", "--api", "http://localhost:18080/",
                "--token", "t", "--devices", "200", "--rate", "2500.5", "--duration", "5m",
                "--max-messages", "10000", "--qos", "0", "--batch", "10", "--seed", "-7", "--prefix", "load.1",
                "--devices-file", "/tmp/devices.csv");
        assertThat(c).isEqualTo(new SimulatorConfig("localhost", 11883, URI.create("http://localhost:18080/"),
                Optional.of("t"), 200, 2500.5, Duration.ofMinutes(5), OptionalLong.of(10000), 0, 10, -7, "load.1",
                Optional.of(Path.of("/tmp/devices.csv"))));
    }

    @Test
    void acceptsNameEqualsValue() {
        SimulatorConfig c = SimulatorConfig.parse("--token=abc", "--devices=3", "--duration=500ms");
        assertThat(c.token()).contains("abc");
        assertThat(c.devices()).isEqualTo(3);
        assertThat(c.duration()).isEqualTo(Duration.ofMillis(500));
    }

    @ParameterizedTest
    @CsvSource({"500ms, 500", "10s, 10000", "5m, 300000", "1h, 3600000", "0010s, 10000"})
    void parsesDurations(String text, long millis) {
        assertThat(SimulatorConfig.parseDuration("--duration", text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "1.5s", "-1s", "s", "10 sec", "PT10S", ""})
    void rejectsMalformedDurationsNamingTheOption(String text) {
        assertOptionError("--duration", "--token", "t", "--duration", text).hasMessageContaining("500ms, 10s, 5m");
    }

    @Test
    void capsTheDurationAtOneHour() {
        assertThat(SimulatorConfig.parse("--token", "t", "--duration", "60m").duration()).isEqualTo(Duration.ofHours(1));
        assertOptionError("--duration", "--token", "t", "--duration", "61m").hasMessageContaining("at most 1h");
        assertOptionError("--duration", "--token", "t", "--duration", "0s");
    }

    @Test
    void capsDevicesAndSaysWhy() {
        assertThat(SimulatorConfig.parse("--token", "t", "--devices", "2000").devices()).isEqualTo(2000);
        assertOptionError("--devices", "--token", "t", "--devices", "2001").hasMessageContaining("Paho");
        assertOptionError("--devices", "--token", "t", "--devices", "0");
        assertOptionError("--devices", "--token", "t", "--devices", "ten").hasMessageContaining("whole number");
    }

    @Test
    void validatesTheRate() {
        assertOptionError("--rate", "--token", "t", "--rate", "0");
        assertOptionError("--rate", "--token", "t", "--rate", "-5");
        assertOptionError("--rate", "--token", "t", "--rate", "fast").hasMessageContaining("number");
        assertOptionError("--rate", "--token", "t", "--rate", "NaN");
        assertOptionError("--rate", "--token", "t", "--rate", "100001", "--devices", "2000");
    }

    @Test
    void limitsEntriesPerDeviceSoTimestampsStayDistinct() {
        // 10 devices x 1000 entries/s is the most that fits.
        assertThat(SimulatorConfig.parse("--token", "t", "--rate", "10000").rate()).isEqualTo(10000.0);
        assertOptionError("--rate", "--token", "t", "--rate", "10001").hasMessageContaining("--devices");
        assertOptionError("--rate", "--token", "t", "--rate", "200", "--batch", "100", "--devices", "10")
                .hasMessageContaining("--batch");
    }

    @Test
    void validatesTheRest() {
        assertOptionError("--qos", "--token", "t", "--qos", "2");
        assertOptionError("--batch", "--token", "t", "--batch", "0");
        assertOptionError("--batch", "--token", "t", "--batch", "1001");
        assertOptionError("--max-messages", "--token", "t", "--max-messages", "0");
        assertOptionError("--mqtt-port", "--token", "t", "--mqtt-port", "70000");
        assertOptionError("--mqtt-host", "--token", "t", "--mqtt-host", " ");
        assertOptionError("--prefix", "--token", "t", "--prefix", "has/slash");
        assertOptionError("--prefix", "--token", "t", "--prefix", "a-very-long-prefix");
        assertOptionError("--api", "--token", "t", "--api", "ftp://host");
        assertOptionError("--api", "--token", "t", "--api", "not a url");
        assertOptionError("--seed", "--token", "t", "--seed", "x");
        assertOptionError("--token", "--token", "");
    }

    @Test
    void needsATokenUnlessADevicesFileIsGiven() {
        assertOptionError("--token").hasMessageContaining("--devices-file");
        SimulatorConfig c = SimulatorConfig.parse("--devices-file", "devices.csv");
        assertThat(c.token()).isEmpty();
        assertThat(c.devicesFile()).contains(Path.of("devices.csv"));
    }

    @Test
    void rejectsUnknownRepeatedAndValuelessOptions() {
        assertOptionError("--devcies", "--token", "t", "--devcies", "3").hasMessageContaining("unknown option");
        assertOptionError("--rate", "--token", "t", "--rate", "1", "--rate", "2").hasMessageContaining("more than once");
        assertOptionError("--rate", "--token", "t", "--rate").hasMessageContaining("needs a value");
        assertOptionError("stray", "--token", "t", "stray");
    }

    @Test
    void plansMessagesFromRateDurationAndLimit() {
        assertThat(SimulatorConfig.parse("--token", "t", "--rate", "200", "--duration", "5s").plannedMessages()).isEqualTo(1000);
        assertThat(SimulatorConfig.parse("--token", "t", "--rate", "200", "--duration", "5s", "--max-messages", "50")
                .plannedMessages()).isEqualTo(50);
        assertThat(SimulatorConfig.parse("--token", "t", "--rate", "0.3", "--duration", "10s").plannedMessages()).isEqualTo(3);
        assertThat(SimulatorConfig.parse("--token", "t", "--rate", "1", "--duration", "500ms").plannedMessages()).isEqualTo(1);
    }

    @Test
    void bracketsIpv6Hosts() {
        assertThat(SimulatorConfig.parse("--token", "t", "--mqtt-host", "::1").mqttUri()).isEqualTo("tcp://[::1]:1883");
    }

    @Test
    void usageMentionsEveryOptionAndThePahoCap() {
        String usage = SimulatorConfig.usage();
        for (String option : new String[] {"--mqtt-host", "--mqtt-port", "--api", "--token", "--devices ", "--rate",
                "--duration", "--max-messages", "--qos", "--batch", "--seed", "--prefix", "--devices-file"}) {
            assertThat(usage).contains(option);
        }
        assertThat(usage).contains("2000").contains("Paho").contains("threads");
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertOptionError(String option, String... args) {
        return assertThatThrownBy(() -> SimulatorConfig.parse(args))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageStartingWith(option + ":")
                .satisfies(e -> assertThat(((InvalidOptionException) e).option()).isEqualTo(option));
    }
}
