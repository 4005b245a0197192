package org.vigil.simulator;

import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.vigil.simulator.SimulatorConfig.QosMode;
import org.vigil.simulator.SimulatorConfig.Workload;
import org.vigil.simulator.load.LoadEngine;
import org.vigil.simulator.population.Behaviours;
import org.vigil.simulator.population.ConditionMix;
import org.vigil.simulator.population.Population;
import org.vigil.simulator.scenario.Expectations;
import org.vigil.simulator.scenario.ScenarioKind;

/**
 * Reads the command line into a {@link SimulatorConfig}: which options exist, what each one's text means,
 * and the defaults that follow from other options (the day workload's realistic behaviours and time scale,
 * the spike rate, whether to listen to feeds). Whether the values make sense together is the record's check.
 */
final class CommandLine {

    private static final Set<String> OPTIONS = Set.of("--mqtt-host", "--mqtt-port", "--api", "--token", "--client",
            "--loops", "--window", "--connect-rate", "--source-addresses", "--devices", "--seed", "--prefix",
            "--devices-file", "--mix", "--wearables", "--comorbidity", "--workload", "--profile", "--rate", "--ramp-from", "--ramp-time",
            "--spike-rate", "--spike-at", "--spike-length", "--duration", "--max-messages", "--qos", "--batch",
            "--time-scale", "--sim-start", "--behaviours", "--duplicates", "--malformed", "--skewed", "--max-skew",
            "--offline", "--offline-for", "--scenarios", "--expect", "--scenario-at", "--scenario-step", "--alert-wait",
            "--feeds", "--report-dir");
    private static final List<String> PROFILES = List.of("steady", "ramp", "spike", "soak");

    private CommandLine() {
    }

    /** See {@link SimulatorConfig#parse(String...)}. */
    static SimulatorConfig parse(String... args) {
        Options o = Options.parse(OPTIONS, args);
        LoadEngine.Client client = o.parsed("--client", LoadEngine.Client.PAHO,
                t -> oneOf(t, List.of("paho", "vertx"), List.of(LoadEngine.Client.PAHO, LoadEngine.Client.VERTX)));
        Workload workload = o.parsed("--workload", Workload.LOAD,
                t -> oneOf(t, List.of("load", "day"), List.of(Workload.LOAD, Workload.DAY)));
        Behaviours base = o.parsed("--behaviours", workload == Workload.DAY ? Behaviours.REALISTIC : Behaviours.NONE,
                t -> oneOf(t, List.of("none", "realistic"), List.of(Behaviours.NONE, Behaviours.REALISTIC)));
        Behaviours behaviours;
        try {
            behaviours = new Behaviours(
                    o.decimal("--duplicates", base.duplicateShare()), o.decimal("--malformed", base.malformedShare()),
                    o.decimal("--skewed", base.skewedShare()), o.duration("--max-skew", base.maxSkew()),
                    o.decimal("--offline", base.offlineShare()), o.duration("--offline-for", base.offlineFor()));
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException("--behaviours", e.getMessage());
        }
        List<ScenarioKind> scenarios = o.parsed("--scenarios", List.of(), CommandLine::scenarios);
        Optional<String> token = o.optional("--token");
        String feeds = o.string("--feeds", "auto");
        if (!Set.of("auto", "on", "off").contains(feeds)) {
            throw new InvalidOptionException("--feeds", "expected auto, on or off (was '" + feeds + "')");
        }
        int devices = o.integer("--devices", SimulatorConfig.DEFAULT_DEVICES);
        String host = o.string("--mqtt-host", SimulatorConfig.DEFAULT_MQTT_HOST);
        return new SimulatorConfig(
                host, o.integer("--mqtt-port", SimulatorConfig.DEFAULT_MQTT_PORT), o.uri("--api", SimulatorConfig.DEFAULT_API), token,
                client, o.integer("--loops", SimulatorConfig.DEFAULT_LOOPS), o.integer("--window", SimulatorConfig.DEFAULT_WINDOW),
                o.decimal("--connect-rate", SimulatorConfig.DEFAULT_CONNECT_RATE),
                o.parsed("--source-addresses", List.of(), t -> List.of(t.split("\\s*,\\s*"))),
                devices, o.longValue("--seed", SimulatorConfig.DEFAULT_SEED), o.string("--prefix", SimulatorConfig.DEFAULT_PREFIX),
                o.path("--devices-file"),
                o.parsed("--mix", ConditionMix.DEFAULT, ConditionMix::parse), o.decimal("--wearables", 0),
                o.decimal("--comorbidity", Population.HYPERTENSION_COMORBIDITY), workload,
                o.parsed("--profile", "steady", t -> oneOf(t, PROFILES, PROFILES)),
                o.decimal("--rate", SimulatorConfig.DEFAULT_RATE), o.decimal("--ramp-from", 0),
                o.has("--ramp-time") ? Optional.of(o.duration("--ramp-time", null)) : Optional.empty(),
                o.decimal("--spike-rate", o.decimal("--rate", SimulatorConfig.DEFAULT_RATE) * 5),
                o.duration("--spike-at", Duration.ofSeconds(5)), o.duration("--spike-length", Duration.ofSeconds(5)),
                o.duration("--duration", SimulatorConfig.DEFAULT_DURATION), o.optionalLong("--max-messages"),
                o.parsed("--qos", QosMode.AT_LEAST_ONCE, CommandLine::qos), o.integer("--batch", SimulatorConfig.DEFAULT_BATCH),
                o.decimal("--time-scale", workload == Workload.DAY ? 60 : 1),
                o.parsed("--sim-start", LocalTime.of(6, 30), CommandLine::time),
                behaviours, scenarios, o.parsed("--expect", Expectations.DEFAULT, Expectations::parse),
                o.duration("--scenario-at", Duration.ofSeconds(3)), o.duration("--scenario-step", Duration.ofSeconds(2)),
                o.duration("--alert-wait", Duration.ofSeconds(30)),
                feeds.equals("on") || feeds.equals("auto") && !scenarios.isEmpty(),
                o.path("--report-dir"));
    }

    /** The value of the choice named {@code text}; {@code names} and {@code values} go in pairs, in the order the error lists them. */
    private static <T> T oneOf(String text, List<String> names, List<T> values) {
        int i = names.indexOf(text);
        if (i < 0) {
            String listed = String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
            throw new IllegalArgumentException("expected " + listed + " (was '" + text + "')");
        }
        return values.get(i);
    }

    private static QosMode qos(String text) {
        return switch (text) {
            case "0" -> QosMode.AT_MOST_ONCE;
            case "1" -> QosMode.AT_LEAST_ONCE;
            case "mixed" -> QosMode.MIXED;
            default -> throw new IllegalArgumentException("must be 0, 1 or mixed (was " + text + ")");
        };
    }

    private static LocalTime time(String text) {
        try {
            return LocalTime.parse(text.length() == 4 ? "0" + text : text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("expected a time of day such as 06:30 (was '" + text + "')");
        }
    }

    private static List<ScenarioKind> scenarios(String text) {
        if (text.equals("all")) {
            return List.of(ScenarioKind.values());
        }
        List<ScenarioKind> kinds = new ArrayList<>();
        for (String part : text.split(",")) {
            String name = part.trim();
            int times = 1;
            int colon = name.indexOf(':');
            if (colon > 0) {
                try {
                    times = Integer.parseInt(name.substring(colon + 1));
                } catch (NumberFormatException e) {
                    times = -1;
                }
                name = name.substring(0, colon);
            }
            ScenarioKind kind = ScenarioKind.fromWire(name);
            if (kind == null || times < 1 || times > 100) {
                throw new IllegalArgumentException("expected all, or names among hypertensive_crisis, severe_hypoglycaemia,"
                        + " copd_exacerbation, hf_weight_gain, device_silent, stops_measuring, each optionally :count (was '" + part.trim() + "')");
            }
            for (int i = 0; i < times; i++) {
                kinds.add(kind);
            }
        }
        return kinds;
    }
}
