package org.vigil.alerting.clinical;

import java.util.Locale;

/**
 * Chronic conditions a patient is monitored for; they select condition-specific rule variants (for example
 * the SpO2 target of 88–92 % for COPD). Names match the registry's {@code conditions} field.
 */
public enum Condition {
    HYPERTENSION,
    DIABETES,
    COPD,
    HEART_FAILURE;

    /** The name used by the registry API and the rules file, e.g. {@code heart_failure}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The condition with that name, or {@code null}. */
    public static Condition fromWire(String value) {
        for (Condition c : values()) {
            if (c.wireName().equals(value)) {
                return c;
            }
        }
        return null;
    }
}
