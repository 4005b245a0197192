package org.vigil.registry.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Kinds of home device Vigil takes readings from. */
public enum DeviceType {
    BP_MONITOR,
    GLUCOMETER,
    PULSE_OXIMETER,
    SCALE,
    THERMOMETER,
    WEARABLE;

    public static final String ALLOWED = Arrays.stream(values()).map(DeviceType::wireName).collect(Collectors.joining(", "));

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type with that name, or {@code null}. */
    public static DeviceType fromWire(String value) {
        for (DeviceType t : values()) {
            if (t.wireName().equals(value)) {
                return t;
            }
        }
        return null;
    }
}
