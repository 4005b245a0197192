package org.vigil.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.simulator.load.LoadEngine;
import org.vigil.simulator.load.LoadProfile;
import org.vigil.simulator.population.Behaviours;
import org.vigil.simulator.population.Condition;
import org.vigil.simulator.scenario.ScenarioKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
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
        assertThat(c.qos()).isEqualTo(SimulatorConfig.QosMode.AT_LEAST_ONCE);
        assertThat(c.client()).isEqualTo(LoadEngine.Client.PAHO);
        assertThat(c.workload()).isEqualTo(SimulatorConfig.Workload.LOAD);
        assertThat(c.profile()).isEqualTo(new LoadProfile.Steady(100));
        assertThat(c.scenarios()).isEmpty();
        assertThat(c.feeds()).isFalse();
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
                "--token", "t", "--client", "vertx", "--loops", "3", "--window", "8", "--connect-rate", "500",
                "--source-addresses", "127.0.0.1,127.0.0.2", "--devices", "20000", "--rate", "2500.5", "--duration", "5m",
                "--max-messages", "10000", "--qos", "mixed", "--batch", "10", "--seed", "-7", "--prefix", "load.1",
                "--devices-file", "/tmp/devices.csv", "--mix", "copd=1", "--wearables", "0.5", "--comorbidity", "0.1", "--profile", "ramp",
                "--ramp-from", "100", "--ramp-time", "1m", "--time-scale", "120", "--sim-start", "07:15",
                "--behaviours", "realistic", "--duplicates", "0.2", "--scenarios", "hypertensive_crisis:2,device_silent",
                "--expect", "device_silent=missing_spo2", "--scenario-at", "4s", "--scenario-step", "500ms",
                "--alert-wait", "1m", "--feeds", "on", "--report-dir", "/tmp/r");
        assertThat(c.mqttHost()).isEqualTo("localhost");
        assertThat(c.mqttPort()).isEqualTo(11883);
        assertThat(c.api()).isEqualTo(URI.create("http://localhost:18080/"));
        assertThat(c.client()).isEqualTo(LoadEngine.Client.VERTX);
        assertThat(c.loops()).isEqualTo(3);
        assertThat(c.window()).isEqualTo(8);
        assertThat(c.connectRate()).isEqualTo(500.0);
        assertThat(c.sourceAddresses()).containsExactly("127.0.0.1", "127.0.0.2");
        assertThat(c.devices()).isEqualTo(20000);
        assertThat(c.profile()).isEqualTo(new LoadProfile.Ramp(100, 2500.5, 60));
        assertThat(c.maxMessages()).hasValue(10000);
        assertThat(c.qos()).isEqualTo(SimulatorConfig.QosMode.MIXED);
        assertThat(c.batch()).isEqualTo(10);
        assertThat(c.seed()).isEqualTo(-7);
        assertThat(c.devicesFile()).contains(Path.of("/tmp/devices.csv"));
        assertThat(c.mix().weights()).containsOnlyKeys(Condition.COPD);
        assertThat(c.wearables()).isEqualTo(0.5);
        assertThat(c.comorbidity()).isEqualTo(0.1);
        assertThat(c.timeScale()).isEqualTo(120.0);
        assertThat(c.simStart()).isEqualTo(LocalTime.of(7, 15));
        assertThat(c.behaviours().duplicateShare()).isEqualTo(0.2);
        assertThat(c.behaviours().malformedShare()).isEqualTo(Behaviours.REALISTIC.malformedShare());
        assertThat(c.scenarios()).containsExactly(ScenarioKind.HYPERTENSIVE_CRISIS, ScenarioKind.HYPERTENSIVE_CRISIS, ScenarioKind.DEVICE_SILENT);
        assertThat(c.expectations().of(ScenarioKind.DEVICE_SILENT).rule()).isEqualTo("missing_spo2");
        assertThat(c.scenarioStep()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.feeds()).isTrue();
        assertThat(c.reportDir()).contains(Path.of("/tmp/r"));
    }

    @Test
    void profilesAreBuiltFromTheirOptions() {
        assertThat(SimulatorConfig.parse("--token", "t", "--profile", "spike", "--rate", "100", "--spike-rate", "900",
                "--spike-at", "2s", "--spike-length", "3s").profile()).isEqualTo(new LoadProfile.Spike(100, 900, 2, 3));
        assertThat(SimulatorConfig.parse("--token", "t", "--profile", "soak", "--duration", "6h").profile().name()).isEqualTo("soak");
        assertOptionError("--duration", "--token", "t", "--profile", "steady", "--duration", "6h").hasMessageContaining("soak");
        assertOptionError("--profile", "--token", "t", "--profile", "wave");
    }

    @Test
    void theDayWorkloadDefaultsToRealisticDevicesAndCompressedTime() {
        SimulatorConfig c = SimulatorConfig.parse("--token", "t", "--workload", "day");
        assertThat(c.behaviours()).isEqualTo(Behaviours.REALISTIC);
        assertThat(c.timeScale()).isEqualTo(60.0);
        assertThat(SimulatorConfig.parse("--token", "t").behaviours()).isEqualTo(Behaviours.NONE);
    }

    @Test
    void scenariosNeedATokenAndKnownNames() {
        assertOptionError("--scenarios", "--devices-file", "d.csv", "--scenarios", "all").hasMessageContaining("--token");
        assertOptionError("--scenarios", "--token", "t", "--scenarios", "heart_attack");
        assertThat(SimulatorConfig.parse("--token", "t", "--scenarios", "all").scenarios()).hasSize(6);
        assertThat(SimulatorConfig.parse("--token", "t", "--scenarios", "all").feeds()).isTrue();
        assertOptionError("--expect", "--token", "t", "--expect", "hf_weight_gain");
    }

    @Test
    void acceptsNameEqualsValue() {
        SimulatorConfig c = SimulatorConfig.parse("--token=abc", "--devices=3", "--duration=500ms");
        assertThat(c.token()).contains("abc");
        assertThat(c.devices()).isEqualTo(3);
        assertThat(c.duration()).isEqualTo(Duration.ofMillis(500));
    }

    @ParameterizedTest
    @CsvSource({"500ms, 500", "10s, 10000", "5m, 300000", "1h, 3600000", "0010s, 10000", "2d, 172800000"})
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
        assertOptionError("--devices", "--token", "t", "--devices", "2001").hasMessageContaining("Paho").hasMessageContaining("--client vertx");
        assertThat(SimulatorConfig.parse("--token", "t", "--client", "vertx", "--devices", "50000", "--rate", "10").devices()).isEqualTo(50000);
        assertOptionError("--devices", "--token", "t", "--devices", "0");
        assertOptionError("--devices", "--token", "t", "--devices", "ten").hasMessageContaining("whole number");
    }

    @Test
    void validatesTheRate() {
        assertOptionError("--rate", "--token", "t", "--rate", "0");
        assertOptionError("--rate", "--token", "t", "--rate", "-5");
        assertOptionError("--rate", "--token", "t", "--rate", "fast").hasMessageContaining("number");
        assertOptionError("--rate", "--token", "t", "--rate", "NaN");
        assertOptionError("--rate", "--token", "t", "--rate", "500001", "--client", "vertx", "--devices", "100000");
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
        assertOptionError("--client", "--token", "t", "--client", "hivemq");
        assertOptionError("--window", "--token", "t", "--window", "0");
        assertOptionError("--wearables", "--token", "t", "--wearables", "1.5");
        assertOptionError("--comorbidity", "--token", "t", "--comorbidity", "-0.1");
        assertOptionError("--time-scale", "--token", "t", "--time-scale", "0.5");
        assertOptionError("--sim-start", "--token", "t", "--sim-start", "25:00");
        assertOptionError("--mix", "--token", "t", "--mix", "flu=3");
        assertOptionError("--behaviours", "--token", "t", "--duplicates", "2");
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
                "--duration", "--max-messages", "--qos", "--batch", "--seed", "--prefix", "--devices-file", "--client", "--loops",
                "--window", "--profile", "--workload", "--time-scale", "--scenarios", "--expect", "--report-dir", "--wearables",
                "--comorbidity", "--mix", "--behaviours", "--alert-wait"}) {
            assertThat(usage).contains(option);
        }
        assertThat(usage).contains("2000").contains("Paho").contains("threads").contains("--client").contains("--scenarios")
                .contains("--report-dir").contains("--profile");
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertOptionError(String option, String... args) {
        return assertThatThrownBy(() -> SimulatorConfig.parse(args))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageStartingWith(option + ":")
                .satisfies(e -> assertThat(((InvalidOptionException) e).option()).isEqualTo(option));
    }
}
