package org.vigil.registry.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Chronic conditions a patient is monitored for; a patient may have several. */
public enum Condition {
    HYPERTENSION,
    DIABETES,
    COPD,
    HEART_FAILURE;

    public static final String ALLOWED = Arrays.stream(values()).map(Condition::wireName).collect(Collectors.joining(", "));

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
