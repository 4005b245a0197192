package org.vigil.registry.model;

import org.vigil.common.model.WireName;
import org.vigil.common.model.WireNames;

/** Kinds of home device Vigil takes readings from. */
public enum DeviceType implements WireName {
    BP_MONITOR,
    GLUCOMETER,
    PULSE_OXIMETER,
    SCALE,
    THERMOMETER,
    WEARABLE;

    /** Each constant by its wire name, and the names allowed. */
    public static final WireNames<DeviceType> NAMES = new WireNames<>(values());
}
