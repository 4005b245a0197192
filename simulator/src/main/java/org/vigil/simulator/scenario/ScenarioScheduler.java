package org.vigil.simulator.scenario;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.simulator.SimulatorException;
import org.vigil.simulator.load.LoadEngine;
import org.vigil.simulator.load.ScenarioDriver;
import org.vigil.simulator.population.Physiology;
import org.vigil.simulator.population.Population;
import org.vigil.simulator.population.Seeds;

/**
 * Puts the cast scenarios on the load engine before the run starts: writes each one's script, checks that
 * the run lasts long enough to play it, takes its device out of the background traffic, and registers its
 * uploads and its silence, timed from the start.
 */
public final class ScenarioScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(ScenarioScheduler.class);

    private final Duration at;
    private final Duration step;
    private final Duration runLength;
    private final long seed;

    /**
     * @param at         when the scenarios start, after the run's start ({@code --scenario-at})
     * @param step       time between a scenario's uploads ({@code --scenario-step})
     * @param runLength  how long the run publishes ({@code --duration})
     * @param seed       the run's seed
     */
    public ScenarioScheduler(Duration at, Duration step, Duration runLength, long seed) {
        this.at = at;
        this.step = step;
        this.runLength = runLength;
        this.seed = seed;
    }

    /**
     * @param cast  the scenarios by the fleet index of the device they drive
     * @throws SimulatorException if the run ends before some scenario has played out; nothing is registered then
     */
    public void schedule(Map<Integer, ScenarioRun> cast, Population population, LoadEngine engine) throws InterruptedException {
        long now = System.currentTimeMillis() + at.toMillis();
        Map<Integer, ScenarioScript> scripts = new LinkedHashMap<>();
        for (Map.Entry<Integer, ScenarioRun> e : cast.entrySet()) {
            int device = e.getKey();
            Physiology physiology = Physiology.of(population.patientOf(device));
            ScenarioScript script = ScenarioScript.of(e.getValue().kind(), physiology, now, step.toMillis(),
                    Seeds.scenario(seed, device));
            // A scenario cut short by the end of the run would be judged "missed" for no fault of the server.
            // A silence scenario is judged on the alert three steps after its last upload; the patient who stops
            // measuring must still be connected then, so the run has to last that long.
            int lastStep = Math.max(script.steps().size() - 1, script.silence() >= 0 ? script.silence() + 5 : -1);
            Duration needed = at.plus(step.multipliedBy(lastStep));
            if (needed.compareTo(runLength) > 0) {
                throw new SimulatorException("--duration " + runLength.toSeconds() + "s ends before scenario "
                        + e.getValue().kind().wireName() + " has sent everything (its last step is at "
                        + needed.toSeconds() + "s): give --duration of at least " + (needed.toSeconds() + 1) + "s");
            }
            scripts.put(device, script);
        }
        for (Map.Entry<Integer, ScenarioRun> e : cast.entrySet()) {
            int device = e.getKey();
            ScenarioRun run = e.getValue();
            ScenarioDriver driver = engine.scenarioDriver(device);
            driver.own();
            ScenarioScript script = scripts.get(device);
            for (int i = 0; i < script.steps().size(); i++) {
                ScenarioScript.Step s = script.steps().get(i);
                driver.uploadAt(at.toNanos() + i * step.toNanos(), s.ts(), s.values(), run::uploaded);
            }
            if (script.silence() >= 0) {
                driver.silenceAt(at.toNanos() + (script.silence() + 1) * step.toNanos(), script.disconnect(), run::silenced);
            }
            LOG.debug("Scenario {} on device {} (patient {}, doctor {})", run.kind().wireName(), run.device(), run.patientId(), run.doctorId());
        }
    }
}
