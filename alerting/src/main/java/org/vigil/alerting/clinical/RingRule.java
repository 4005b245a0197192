package org.vigil.alerting.clinical;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import java.time.Duration;
import java.util.Set;
import org.vigil.common.model.Condition;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/**
 * A window rule over one metric kept in an {@link AggregateRing} per patient: the gain, baseline-drop and
 * share-below rules. It owns what they share: the ring (bucket width, retention of the window plus the late
 * horizon), skipping the judgement of a reading too late to judge while still counting it, and the verdict of a
 * measure against the rule's limit. A subclass says how it judges the ring and how it describes a verdict.
 */
abstract class RingRule extends Rule {

    final Metric metric;
    /** The span the rule judges, ms (for the baseline rule both of its windows). */
    final long window;
    /** The ring's bucket width, ms. */
    final long bucket;
    private final long lateHorizon;
    private final Severity severity;
    private final boolean trackMin;
    private final double below;

    /**
     * @param trackMin  keep each bucket's minimum
     * @param below     count values strictly below this ({@code NaN}: off)
     */
    RingRule(String id, Metric metric, Severity severity, LifecycleSettings lifecycle, Set<Condition> appliesTo,
            Duration bucket, long window, long lateHorizon, boolean trackMin, double below) {
        super(id, Moment.bit(metric), lifecycle, appliesTo);
        this.metric = metric;
        this.severity = severity;
        this.bucket = bucket.toMillis();
        this.window = window;
        this.lateHorizon = lateHorizon;
        this.trackMin = trackMin;
        this.below = below;
    }

    /**
     * Judges the patient's ring, which already holds the reading of {@code m} (value {@code value}); leaves
     * {@code out} untouched when there is not enough evidence.
     */
    abstract void evaluate(AggregateRing ring, Moment m, double value, Verdict out);

    /** The doctor-facing detail for the verdict just produced. */
    abstract String describe(Verdict v);

    @Override
    final Detector detector(Object key) {
        AggregateRing ring = new AggregateRing(bucket, window + lateHorizon, trackMin, below);
        return new Detector() {
            @Override
            public void evaluate(Moment m, Verdict out) {
                double v = m.value(metric);
                ring.add(m.time, v);
                // A reading older than the late horizon behind the newest counts for later windows only.
                if (m.time < ring.newestAt() - lateHorizon) {
                    return;
                }
                RingRule.this.evaluate(ring, m, v, out);
            }

            @Override
            public String describe(Verdict v) {
                return RingRule.this.describe(v);
            }

            @Override
            public void save(DataOutput out) throws IOException {
                ring.save(out);
            }

            @Override
            public void restore(DataInput in) throws IOException {
                ring.restore(in);
            }
        };
    }

    /** Firing at the rule's severity when {@code firing}, else in range; higher values are worse. */
    final void judge(Verdict out, boolean firing, double value) {
        if (firing) {
            out.firing(severity, metric, value, true);
        } else {
            out.inRange(metric, value);
        }
    }

    @Override
    final long lookbackMillis() {
        return window + lateHorizon;
    }
}
