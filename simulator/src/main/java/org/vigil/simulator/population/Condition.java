package org.vigil.simulator.population;

/** Chronic conditions a simulated patient can have, each with the device a patient with it takes home. */
public enum Condition implements WireName {
    HYPERTENSION(DeviceType.BP_MONITOR),
    DIABETES(DeviceType.GLUCOMETER),
    COPD(DeviceType.PULSE_OXIMETER),
    HEART_FAILURE(DeviceType.SCALE);

    private final DeviceType device;

    Condition(DeviceType device) {
        this.device = device;
    }

    /** The device issued for this condition (daily weight is the heart-failure decompensation signal). */
    public DeviceType device() {
        return device;
    }

    /** The condition with that API name, or {@code null}. */
    public static Condition fromWire(String name) {
        return WireName.find(values(), name);
    }
}
