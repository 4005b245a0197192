package org.vigil.alerting.clinical;

import java.util.Objects;
import org.vigil.common.model.Severity;

/**
 * What the alert store says about the latest alert of one patient and rule; handed to
 * {@link ClinicalEngine#rebuild} so that a restart notifies nobody of what was already signalled.
 *
 * @param ruleId          the rule
 * @param severity        the alert's severity as stored (the one the doctor was told)
 * @param active          not yet resolved (open or acknowledged)
 * @param lastMeasuredAt  measurement time of the newest signal recorded on it, epoch milliseconds
 */
public record KnownAlert(String ruleId, Severity severity, boolean active, long lastMeasuredAt) {

    public KnownAlert {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(severity, "severity");
    }
}
