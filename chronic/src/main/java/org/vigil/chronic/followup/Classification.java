package org.vigil.chronic.followup;

import java.util.Locale;

/** The classified-intervention outcome of a follow-up (分类干预). */
public enum Classification {
    CONTROLLED,
    UNCONTROLLED,
    ADVERSE_REACTION,
    COMPLICATION;

    public static final String ALLOWED = "controlled, uncontrolled, adverse_reaction, complication";

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The classification with that name, or {@code null}. */
    public static Classification fromWire(String value) {
        for (Classification c : values()) {
            if (c.wireName().equals(value)) {
                return c;
            }
        }
        return null;
    }
}
