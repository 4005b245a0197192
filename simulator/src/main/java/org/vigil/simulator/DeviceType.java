package org.vigil.simulator;

import java.util.Locale;

/**
 * Kinds of home device the simulator can impersonate, named as the registry API names them. The
 * simulator keeps its own copy rather than depending on the registry module: it is a client and must
 * build and run against a server it only knows through the wire.
 */
public enum DeviceType {
    BP_MONITOR,
    GLUCOMETER,
    PULSE_OXIMETER,
    SCALE,
    THERMOMETER,
    WEARABLE;

    /** The name used by the registry API, e.g. {@code bp_monitor}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type with that API name, or {@code null}. */
    public static DeviceType fromWire(String name) {
        for (DeviceType t : values()) {
            if (t.wireName().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
