package org.vigil.simulator.scenario;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.vigil.simulator.population.DeviceType;
import org.vigil.simulator.population.Population;
import org.vigil.simulator.registry.RegistryClient;
import org.vigil.simulator.registry.SimulatedDevice;

/**
 * Casts the scenarios of a run: picks a patient for each from the provisioned population, and gives the
 * silence scenarios' patients a care plan that expects their device's measurement (without one, data that
 * stops arriving alerts nobody). A scenario no patient fits is kept, marked not run, so the report says why.
 */
public final class ScenarioCasting {

    /** Patients checked for an active alert per scenario before giving up: each check is a request. */
    private static final int CANDIDATES = 30;

    /**
     * Who plays what.
     *
     * @param runs      one per scenario, in the order asked for, the unplayable ones marked not run
     * @param byDevice  the played ones by the fleet index of the device they drive, in the same order
     */
    public record Cast(List<ScenarioRun> runs, Map<Integer, ScenarioRun> byDevice) {
    }

    private final URI api;
    private final Optional<String> token;
    private final Expectations expectations;
    private final Duration step;

    /**
     * @param api           the Vigil REST API
     * @param token         admin token; needed only when there are scenarios
     * @param expectations  the alert each scenario should produce
     * @param step          time between a scenario's uploads, which the silence scenarios' care plans compress days into
     */
    public ScenarioCasting(URI api, Optional<String> token, Expectations expectations, Duration step) {
        this.api = api;
        this.token = token;
        this.expectations = expectations;
        this.step = step;
    }

    /**
     * Picks a patient for each scenario: the scenario's condition and device, preferably no other device
     * (so nothing else of theirs can explain an alert), not used by another scenario, and without an alert
     * still active on the server (a repeat would update it silently rather than notify).
     */
    public Cast cast(List<ScenarioKind> scenarios, Population population, List<SimulatedDevice> devices)
            throws InterruptedException {
        List<ScenarioRun> runs = new ArrayList<>();
        Map<Integer, ScenarioRun> chosen = new LinkedHashMap<>();
        if (scenarios.isEmpty()) {
            return new Cast(runs, chosen);
        }
        Set<Integer> usedPatients = new HashSet<>();
        try (RegistryClient client = new RegistryClient(api, token.orElseThrow())) {
            for (ScenarioKind kind : scenarios) {
                Integer device = pick(client, kind, population, devices, usedPatients);
                if (device == null) {
                    ScenarioRun run = new ScenarioRun(kind, expectations.of(kind), null, 0, 0);
                    run.notRun("no " + kind.condition().wireName() + " patient with a " + kind.device().wireName()
                            + " and no active alert in a population of " + devices.size() + " devices (add --devices)");
                    runs.add(run);
                    continue;
                }
                SimulatedDevice d = devices.get(device);
                if (kind.silence()) {
                    expectMeasurements(client, kind, d.patientId());
                }
                ScenarioRun run = new ScenarioRun(kind, expectations.of(kind), d.serial(), d.patientId(), d.doctorId());
                runs.add(run);
                chosen.put(device, run);
            }
        }
        return new Cast(runs, chosen);
    }

    /** The fleet index of the device the scenario will drive, or null if no patient fits. */
    private static Integer pick(RegistryClient client, ScenarioKind kind, Population population, List<SimulatedDevice> devices,
            Set<Integer> usedPatients) throws InterruptedException {
        for (boolean singleDevice : new boolean[] {true, false}) {
            int checked = 0;
            for (int i = 0; i < devices.size() && checked < CANDIDATES; i++) {
                Population.Patient p = population.patientOf(i);
                int patient = population.devices().get(i).patient();
                if (devices.get(i).type() != kind.device() || !p.conditions().contains(kind.condition())
                        || usedPatients.contains(patient) || (singleDevice && p.devices().size() != 1)
                        || devices.get(i).patientId() == 0) {
                    continue;
                }
                checked++;
                boolean active = client.list("alerts", Map.of("patientId", Long.toString(devices.get(i).patientId()))).stream()
                        .anyMatch(a -> !"resolved".equals(a.getString("status")));
                if (!active) {
                    usedPatients.add(patient);
                    return i;
                }
            }
        }
        return null;
    }

    /**
     * Gives a silence scenario's patient a care plan that expects the device's measurement. Days are compressed
     * into scenario steps: a measurement is expected every two steps, with one step of grace, so the data is
     * missing three steps after the last upload.
     */
    private void expectMeasurements(RegistryClient client, ScenarioKind kind, long patientId) throws InterruptedException {
        String metric = kind.device() == DeviceType.SCALE ? "body_weight" : "systolic_bp";
        client.put("patients/" + patientId + "/care-plan", new JsonObject()
                .put("expected", new JsonArray().add(new JsonObject()
                        .put("metric", metric).put("every", step.multipliedBy(2).toString()).put("grace", step.toString()))));
    }
}
