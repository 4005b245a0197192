package org.vigil.simulator.population;

import java.util.Locale;

/** Chronic conditions a simulated patient can have, each with the device a patient with it takes home. */
public enum Condition {
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

    /** The name used by the registry API, e.g. {@code heart_failure}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The condition with that API name, or {@code null}. */
    public static Condition fromWire(String name) {
        for (Condition c : values()) {
            if (c.wireName().equals(name)) {
                return c;
            }
        }
        return null;
    }
}
