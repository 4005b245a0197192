package org.vigil.simulator;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.vigil.simulator.load.DeviceSpec;
import org.vigil.simulator.load.LinkSettings;
import org.vigil.simulator.load.LoadEngine;
import org.vigil.simulator.load.SimClock;
import org.vigil.simulator.load.Traffic;
import org.vigil.simulator.population.DeviceType;
import org.vigil.simulator.population.Physiology;
import org.vigil.simulator.population.Population;
import org.vigil.simulator.population.Seeds;
import org.vigil.simulator.registry.SimulatedDevice;

/**
 * Builds a run's {@link LoadEngine} from its configuration: one device spec per registered device (client
 * id, QoS, seed, and the physiology of its patient, shared by the patient's devices), the connection
 * settings, and the traffic (the load profile or the patients' schedules, the message limit, the device
 * imperfections, the simulated clock).
 */
final class EngineSetup {

    /** MQTT 3.1.1 servers need only accept client ids up to 23 characters (Vert.x enforces that). */
    private static final int MAX_CLIENT_ID = 23;
    private static final int KEEP_ALIVE_SECONDS = 60;
    private static final int ACK_TIMEOUT_SECONDS = 30;
    private static final long CONNECT_TIMEOUT_MILLIS = 10_000;
    /** How often a wearable uploads its 1 Hz samples in the day workload. */
    private static final long WEARABLE_UPLOAD_NANOS = 10_000_000_000L;

    private EngineSetup() {
    }

    /**
     * @param runId  makes client ids unique when a serial is too long to be one
     * @param vertx  carries the Vert.x client's lanes (unused with Paho)
     */
    static LoadEngine engine(SimulatorConfig config, String runId, Vertx vertx, Population population,
            List<SimulatedDevice> devices) throws InterruptedException {
        Map<Integer, Physiology> physiologies = new LinkedHashMap<>();
        List<DeviceSpec> specs = new ArrayList<>(devices.size());
        for (int i = 0; i < devices.size(); i++) {
            SimulatedDevice d = devices.get(i);
            int patient = population.devices().get(i).patient();
            Physiology physiology = physiologies.computeIfAbsent(patient, p -> Physiology.of(population.patients().get(p)));
            int qos = switch (config.qos()) {
                case AT_MOST_ONCE -> 0;
                case AT_LEAST_ONCE -> 1;
                case MIXED -> d.type() == DeviceType.WEARABLE ? 0 : 1;
            };
            specs.add(new DeviceSpec(d.serial(), d.secret(), clientId(d.serial(), runId, i), d.type(), physiology,
                    Seeds.device(config.seed(), i), qos));
        }
        LinkSettings settings = new LinkSettings(config.mqttHost(), config.mqttPort(), config.window(), KEEP_ALIVE_SECONDS,
                ACK_TIMEOUT_SECONDS, CONNECT_TIMEOUT_MILLIS);
        boolean load = config.workload() == SimulatorConfig.Workload.LOAD;
        Traffic traffic = new Traffic(
                load ? Optional.of(config.profile()) : Optional.empty(),
                config.duration().toNanos(),
                load ? config.plannedMessages() : config.maxMessages().orElse(Long.MAX_VALUE),
                config.batch(), config.behaviours(),
                new SimClock(config.simStart().toSecondOfDay() / 3600.0, config.timeScale()),
                config.connectRate(), WEARABLE_UPLOAD_NANOS);
        return config.client() == LoadEngine.Client.VERTX
                ? LoadEngine.vertx(vertx, config.loops(), specs, settings, traffic, config.sourceAddresses())
                : LoadEngine.paho(specs, config.mqttUri(), settings, traffic);
    }

    /** The serial itself when it fits; otherwise a per-run id, unique among this run's clients. */
    private static String clientId(String serial, String runId, int index) {
        return serial.length() <= MAX_CLIENT_ID ? serial : runId + "-" + index;
    }
}
