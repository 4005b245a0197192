package org.vigil.alerting.rules;

import org.vigil.common.model.Reading;
import org.vigil.common.model.Severity;

/** A reading that met a rule's band. */
public record RuleHit(String ruleId, Severity severity, Reading reading) {
}
