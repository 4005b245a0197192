package org.vigil.chronic.followup;

import org.vigil.common.model.WireName;
import org.vigil.common.model.WireNames;

/** The classified-intervention outcome of a follow-up (分类干预). */
public enum Classification implements WireName {
    CONTROLLED,
    UNCONTROLLED,
    ADVERSE_REACTION,
    COMPLICATION;

    /** Each constant by its wire name, and the names allowed. */
    public static final WireNames<Classification> NAMES = new WireNames<>(values());
}
