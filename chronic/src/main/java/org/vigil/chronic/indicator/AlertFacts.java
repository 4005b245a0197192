package org.vigil.chronic.indicator;

import java.time.Instant;
import java.util.Objects;

/**
 * One alert opened in the period for a patient in scope.
 *
 * @param acknowledgedAt  when a doctor acknowledged it, or {@code null}
 * @param escalated       whether it was sent up a tier for want of an acknowledgement
 * @param disposition     how it was resolved, or {@code null} while it is not
 */
public record AlertFacts(long alertId, long patientId, String severity, Instant openedAt, Instant acknowledgedAt,
        boolean escalated, String disposition) {

    public AlertFacts {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(openedAt, "openedAt");
    }
}
