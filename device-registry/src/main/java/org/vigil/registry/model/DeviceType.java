package org.vigil.registry.model;

import org.vigil.common.model.WireName;

/** Kinds of home device Vigil takes readings from. */
public enum DeviceType implements WireName {
    BP_MONITOR,
    GLUCOMETER,
    PULSE_OXIMETER,
    SCALE,
    THERMOMETER,
    WEARABLE;

    public static final String ALLOWED = WireName.allowed(values());

    /** The type with that name, or {@code null}. */
    public static DeviceType fromWire(String value) {
        return WireName.find(values(), value);
    }
}
