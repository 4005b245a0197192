package org.vigil.registry.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The tier of primary care a doctor works in; alerts escalate from village up to county. */
public enum Tier {
    VILLAGE,
    TOWNSHIP,
    COUNTY;

    public static final String ALLOWED = Arrays.stream(values()).map(Tier::wireName).collect(Collectors.joining(", "));

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The tier with that name, or {@code null}. */
    public static Tier fromWire(String value) {
        for (Tier t : values()) {
            if (t.wireName().equals(value)) {
                return t;
            }
        }
        return null;
    }
}
