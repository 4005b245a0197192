package org.vigil.chronic.followup;

import org.vigil.common.model.WireName;

/** The classified-intervention outcome of a follow-up (分类干预). */
public enum Classification implements WireName {
    CONTROLLED,
    UNCONTROLLED,
    ADVERSE_REACTION,
    COMPLICATION;

    public static final String ALLOWED = WireName.allowed(values());

    /** The classification with that name, or {@code null}. */
    public static Classification fromWire(String value) {
        return WireName.find(values(), value);
    }
}
