package org.vigil.registry.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The tier of primary care an organisation belongs to; alerts escalate from village up to county. */
public enum Tier {
    VILLAGE,
    TOWNSHIP,
    COUNTY;

    public static final String ALLOWED = Arrays.stream(values()).map(Tier::wireName).collect(Collectors.joining(", "));

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The tier an organisation of this tier sits under, or {@code null} for the county (a root). */
    public Tier parent() {
        return switch (this) {
            case VILLAGE -> TOWNSHIP;
            case TOWNSHIP -> COUNTY;
            case COUNTY -> null;
        };
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
