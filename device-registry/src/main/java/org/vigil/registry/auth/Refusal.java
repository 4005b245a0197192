package org.vigil.registry.auth;

import org.vigil.common.model.WireName;

/**
 * One refused API request, as the audit log and the metrics see it.
 *
 * @param reason      why it was refused
 * @param actor       who asked: {@code doctor:<id>} when the token was hers (also an expired or revoked one), else
 *                    {@code anonymous}
 * @param targetType  what was refused: {@code token} (401), {@code endpoint} (403), or the kind of record that exists
 *                    outside the caller's scope ({@code patient}, {@code alert}, {@code device}, {@code doctor}; 404)
 * @param targetId    the token's or the record's id, when known
 * @param patientId   the patient whose data was asked for, when there is one
 * @param remote      the client's address
 * @param request     method and path, without the query
 */
public record Refusal(Reason reason, String actor, String targetType, Long targetId, Long patientId, String remote,
        String request) {

    public static final String ANONYMOUS = "anonymous";

    /** Why access was refused; the wire names are the {@code reason} tag of the refusal counter (few values). */
    public enum Reason implements WireName {
        /** No {@code Authorization: Bearer} header. */
        MISSING_TOKEN(401),
        /** A token nobody was issued. */
        UNKNOWN_TOKEN(401),
        EXPIRED_TOKEN(401),
        REVOKED_TOKEN(401),
        /** The token of a deactivated doctor. */
        DOCTOR_DEACTIVATED(401),
        /** An operation for administrators, or another doctor's feed. */
        FORBIDDEN(403),
        /** A record that exists but is outside the doctor's scope, answered 404 so its existence does not leak. */
        OUT_OF_SCOPE(404);

        private final int status;

        Reason(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
