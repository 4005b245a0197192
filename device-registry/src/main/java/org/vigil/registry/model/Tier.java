package org.vigil.registry.model;

import org.vigil.common.model.WireName;

/** The tier of primary care an organisation belongs to; alerts escalate from village up to county. */
public enum Tier implements WireName {
    VILLAGE,
    TOWNSHIP,
    COUNTY;

    public static final String ALLOWED = WireName.allowed(values());

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
        return WireName.find(values(), value);
    }
}
