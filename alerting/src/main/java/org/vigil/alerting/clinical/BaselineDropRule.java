package org.vigil.alerting.clinical;

/**
 * The patient against their own normal: the mean of the recent window is at least {@code drop} below the mean
 * of the baseline window just before it (SpO2 in COPD). The two windows are disjoint sets of buckets of one
 * {@link AggregateRing}, so a 1 Hz oximeter costs one bucket per hour, not one entry per second.
 */
final class BaselineDropRule extends RingRule {

    private final RuleSpec.BaselineDrop spec;
    private final long recent;
    private final long baseline;
    private final AggregateRing.Sums recentSums = new AggregateRing.Sums();
    private final AggregateRing.Sums baselineSums = new AggregateRing.Sums();

    BaselineDropRule(RuleSpec.BaselineDrop spec, long lateHorizon) {
        super(spec.id(), spec.metric(), spec.severity(), spec.lifecycle(), spec.appliesTo(), spec.bucket(),
                spec.recent().plus(spec.baseline()).toMillis(), lateHorizon, false, Double.NaN);
        this.spec = spec;
        this.recent = spec.recent().toMillis();
        this.baseline = spec.baseline().toMillis();
    }

    @Override
    void evaluate(AggregateRing ring, Moment m, double value, Verdict out) {
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
        judge(out, drop >= spec.drop(), drop);
    }

    @Override
    String describe(Verdict v) {
        String versus = v.value >= 0 ? Format.num(v.value) + " points below" : Format.num(-v.value) + " points above";
        return Format.window(recent) + " mean " + Format.label(metric) + " " + Format.value(metric, v.a) + ", "
                + versus + " the " + Format.window(baseline) + " baseline of " + Format.value(metric, v.b)
                + " (" + v.n + " recent readings)";
    }
}
