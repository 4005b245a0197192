package org.vigil.chronic.followup;

import org.vigil.common.model.WireName;
import org.vigil.common.model.WireNames;

/** How a follow-up was done. */
public enum FollowUpType implements WireName {
    FACE_TO_FACE,
    PHONE,
    HOME_VISIT,
    /** A doctor's review of the patient's home readings in Vigil, without contact: Vigil's own variant. */
    REMOTE_REVIEW;

    /** Each constant by its wire name, and the names allowed. */
    public static final WireNames<FollowUpType> NAMES = new WireNames<>(values());
}
