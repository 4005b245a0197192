package org.vigil.common.model;

import java.util.Locale;

/** How urgently an alert needs a doctor; declared from least to most urgent so that ordinal order is urgency. */
public enum Severity implements WireName {
    WARNING,
    CRITICAL;

    public static Severity fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    public boolean worseThan(Severity other) {
        return compareTo(other) > 0;
    }
}
