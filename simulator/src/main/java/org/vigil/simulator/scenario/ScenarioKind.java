package org.vigil.simulator.scenario;

import org.vigil.simulator.population.Condition;
import org.vigil.simulator.population.DeviceType;
import org.vigil.simulator.population.WireName;

/**
 * The clinical scenarios the simulator can inject into a patient, each with the patient it needs (a
 * condition and the device that goes with it) and what it does. The alert each should produce is in
 * {@link Expectations}, kept apart because the rule ids are configuration.
 */
public enum ScenarioKind implements WireName {
    /** One reading of 192/118 mmHg after a normal one. */
    HYPERTENSIVE_CRISIS(Condition.HYPERTENSION, DeviceType.BP_MONITOR),
    /** A glucose of 2.6 mmol/L (level 2 hypoglycaemia) after a normal one. */
    SEVERE_HYPOGLYCAEMIA(Condition.DIABETES, DeviceType.GLUCOMETER),
    /** Two weeks of stable SpO2 spot checks, then a drift of about five points over two days. */
    COPD_EXACERBATION(Condition.COPD, DeviceType.PULSE_OXIMETER),
    /** A week of stable daily weights, then 2.6 kg gained within three days. */
    HF_WEIGHT_GAIN(Condition.HEART_FAILURE, DeviceType.SCALE),
    /**
     * The care plan expects blood pressure; after a few days of readings up to now the cuff disconnects for good.
     * Time is compressed by the care plan: it expects a measurement every two scenario steps.
     */
    DEVICE_SILENT(Condition.HYPERTENSION, DeviceType.BP_MONITOR),
    /** The care plan expects daily weight (compressed likewise); the scale stays connected but nothing is measured. */
    STOPS_MEASURING(Condition.HEART_FAILURE, DeviceType.SCALE);

    private final Condition condition;
    private final DeviceType device;

    ScenarioKind(Condition condition, DeviceType device) {
        this.condition = condition;
        this.device = device;
    }

    /** The condition the scenario's patient must have. */
    public Condition condition() {
        return condition;
    }

    /** The device the scenario drives. */
    public DeviceType device() {
        return device;
    }

    /** Whether the scenario is about data that stops arriving (it needs a care plan that expects it). */
    public boolean silence() {
        return this == DEVICE_SILENT || this == STOPS_MEASURING;
    }

    /** The scenario with that name, or {@code null}. */
    public static ScenarioKind fromWire(String name) {
        return WireName.find(values(), name);
    }
}
