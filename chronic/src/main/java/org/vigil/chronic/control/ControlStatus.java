package org.vigil.chronic.control;

import org.vigil.common.model.WireName;
import org.vigil.common.model.WireNames;

/** Whether a patient's condition is controlled; {@code UNKNOWN} when the data are not enough to say. */
public enum ControlStatus implements WireName {
    CONTROLLED,
    UNCONTROLLED,
    UNKNOWN;

    private static final WireNames<ControlStatus> NAMES = new WireNames<>(values());

    /** The status with that name; throws on a name no release wrote. */
    public static ControlStatus fromWire(String value) {
        ControlStatus status = NAMES.find(value);
        if (status == null) {
            throw new IllegalArgumentException("unknown control status " + value);
        }
        return status;
    }
}
