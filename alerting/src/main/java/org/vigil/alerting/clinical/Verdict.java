package org.vigil.alerting.clinical;

import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/**
 * What a detector concluded about one moment, written into one reused instance (no allocation per reading).
 * The figures {@code a, b, c, n} feed the detector's human-readable detail, which is only built when a signal
 * is emitted.
 */
final class Verdict {

    enum Outcome {
        /** No evidence either way: the rule's inputs are absent, filtered out, or a condition is still building. */
        NEUTRAL,
        /** The rule's condition does not hold: evidence towards clearing. */
        IN_RANGE,
        /** The rule's condition holds at {@link #severity}. */
        FIRING
    }

    Outcome outcome;
    Severity severity;
    Metric metric;
    double value;
    /** For the episode's worst value: whether higher figures are worse (false for "low" rules). */
    boolean higherIsWorse;
    double a;
    double b;
    double c;
    int n;

    void reset() {
        outcome = Outcome.NEUTRAL;
        severity = null;
        metric = null;
        value = 0;
        higherIsWorse = true;
        a = 0;
        b = 0;
        c = 0;
        n = 0;
    }

    void firing(Severity s, Metric m, double v, boolean higherWorse) {
        outcome = Outcome.FIRING;
        severity = s;
        metric = m;
        value = v;
        higherIsWorse = higherWorse;
    }

    void inRange(Metric m, double v) {
        outcome = Outcome.IN_RANGE;
        metric = m;
        value = v;
    }
}
