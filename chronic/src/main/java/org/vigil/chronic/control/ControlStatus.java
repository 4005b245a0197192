package org.vigil.chronic.control;

import java.util.Locale;

/** Whether a patient's condition is controlled; {@code UNKNOWN} when the data are not enough to say. */
public enum ControlStatus {
    CONTROLLED,
    UNCONTROLLED,
    UNKNOWN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ControlStatus fromWire(String value) {
        for (ControlStatus s : values()) {
            if (s.wireName().equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown control status " + value);
    }
}
