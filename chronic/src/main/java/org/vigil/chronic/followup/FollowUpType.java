package org.vigil.chronic.followup;

import org.vigil.common.model.WireName;

/** How a follow-up was done. */
public enum FollowUpType implements WireName {
    FACE_TO_FACE,
    PHONE,
    HOME_VISIT,
    /** A doctor's review of the patient's home readings in Vigil, without contact: Vigil's own variant. */
    REMOTE_REVIEW;

    public static final String ALLOWED = WireName.allowed(values());

    /** The type with that name, or {@code null}. */
    public static FollowUpType fromWire(String value) {
        return WireName.find(values(), value);
    }
}
