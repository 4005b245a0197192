package org.vigil.registry.model;

import org.vigil.common.model.WireName;
import org.vigil.common.model.WireNames;

/** The tier of primary care an organisation belongs to; alerts escalate from village up to county. */
public enum Tier implements WireName {
    VILLAGE,
    TOWNSHIP,
    COUNTY;

    /** Each constant by its wire name, and the names allowed. */
    public static final WireNames<Tier> NAMES = new WireNames<>(values());

    /** The tier an organisation of this tier sits under, or {@code null} for the county (a root). */
    public Tier parent() {
        return switch (this) {
            case VILLAGE -> TOWNSHIP;
            case TOWNSHIP -> COUNTY;
            case COUNTY -> null;
        };
    }
}
