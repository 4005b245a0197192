package org.vigil.alerting.clinical;

import org.vigil.common.model.Metric;

/**
 * The patient against their own normal: the mean of the recent window is at least {@code drop} below the mean
 * of the baseline window just before it (SpO2 in COPD). The two windows are disjoint sets of buckets of one
 * {@link AggregateRing}, so a 1 Hz oximeter costs one bucket per hour, not one entry per second.
 */
final class BaselineDropRule extends Rule {

    private final RuleSpec.BaselineDrop spec;
    private final long recent;
    private final long baseline;
    private final long bucket;
    private final long lateHorizon;
    private final AggregateRing.Sums recentSums = new AggregateRing.Sums();
    private final AggregateRing.Sums baselineSums = new AggregateRing.Sums();

    BaselineDropRule(RuleSpec.BaselineDrop spec, long lateHorizon) {
        super(spec.id(), Moment.bit(spec.metric()), spec.lifecycle(), spec.appliesTo());
        this.spec = spec;
        this.recent = spec.recent().toMillis();
        this.baseline = spec.baseline().toMillis();
        this.bucket = spec.bucket().toMillis();
        this.lateHorizon = lateHorizon;
    }

    @Override
    Detector detector(Object key) {
        AggregateRing ring = new AggregateRing(bucket, recent + baseline + lateHorizon, false, Double.NaN);
        Metric metric = spec.metric();
        return new Detector() {
            @Override
            public void evaluate(Moment m, Verdict out) {
                ring.add(m.time, m.value(metric));
                if (m.time < ring.newestAt() - lateHorizon) {
                    return;
                }
                long recentFrom = m.time - recent;
                recentSums.reset();
                ring.accumulate(recentFrom, m.time, recentSums);
                baselineSums.reset();
                // Buckets that overlap the recent window belong to it alone: the baseline ends a bucket earlier.
                ring.accumulate(recentFrom - baseline, recentFrom - bucket, baselineSums);
                if (recentSums.count < spec.minRecent() || baselineSums.count < spec.minBaseline()) {
                    return;
                }
                double drop = baselineSums.mean() - recentSums.mean();
                out.a = recentSums.mean();
                out.b = baselineSums.mean();
                out.n = recentSums.count;
                if (drop >= spec.drop()) {
                    out.firing(spec.severity(), metric, drop, true);
                } else {
                    out.inRange(metric, drop);
                }
            }

            @Override
            public String describe(Verdict v) {
                String versus = v.value >= 0 ? Format.num(v.value) + " points below" : Format.num(-v.value) + " points above";
                return Format.window(recent) + " mean " + Format.label(metric) + " " + Format.value(metric, v.a) + ", "
                        + versus + " the " + Format.window(baseline) + " baseline of " + Format.value(metric, v.b)
                        + " (" + v.n + " recent readings)";
            }
        };
    }

    @Override
    long lookbackMillis() {
        return recent + baseline + lateHorizon;
    }
}
