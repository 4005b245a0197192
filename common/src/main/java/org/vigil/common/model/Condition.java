package org.vigil.common.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Chronic conditions a patient is monitored for; a patient may have several. The registry stores them on the
 * patient, and alerting uses them to pick condition-specific rule variants (for example the SpO2 target of
 * 88–92 % for COPD).
 */
public enum Condition {
    HYPERTENSION,
    DIABETES,
    COPD,
    HEART_FAILURE;

    /** The names, comma-separated, for error messages. */
    public static final String ALLOWED = Arrays.stream(values()).map(Condition::wireName).collect(Collectors.joining(", "));

    /** The name used by the API and the rules file, e.g. {@code heart_failure}. */
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
