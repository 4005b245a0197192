package org.vigil.chronic.followup;

import java.util.Locale;

/** How a follow-up was done. */
public enum FollowUpType {
    FACE_TO_FACE,
    PHONE,
    HOME_VISIT,
    /** A doctor's review of the patient's home readings in Vigil, without contact: Vigil's own variant. */
    REMOTE_REVIEW;

    public static final String ALLOWED = "face_to_face, phone, home_visit, remote_review";

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type with that name, or {@code null}. */
    public static FollowUpType fromWire(String value) {
        for (FollowUpType t : values()) {
            if (t.wireName().equals(value)) {
                return t;
            }
        }
        return null;
    }
}
