package org.vigil.alerting.clinical;

/**
 * The share of readings below a limit over a window exceeds a target: glucose below 3.9 mmol/L in more than 4 %
 * of readings over 14 days (time below range, CGM consensus). Counts per bucket in an {@link AggregateRing}.
 */
final class ShareBelowRule extends RingRule {

    private final RuleSpec.ShareBelow spec;
    private final AggregateRing.Sums sums = new AggregateRing.Sums();

    ShareBelowRule(RuleSpec.ShareBelow spec, long lateHorizon) {
        super(spec.id(), spec.metric(), spec.severity(), spec.lifecycle(), spec.appliesTo(), spec.bucket(),
                spec.window().toMillis(), lateHorizon, false, spec.below());
        this.spec = spec;
    }

    @Override
    void evaluate(AggregateRing ring, Moment m, double value, Verdict out) {
        sums.reset();
        ring.accumulate(m.time - window, m.time, sums);
        if (sums.count < spec.minReadings()) {
            return;
        }
        double share = (double) sums.below / sums.count;
        out.n = sums.count;
        judge(out, share > spec.share(), share * 100);
    }

    @Override
    String describe(Verdict v) {
        return Format.num(v.value) + " % of " + v.n + " readings below " + Format.value(metric, spec.below())
                + " over " + Format.span(window) + " (target under " + Format.num(spec.share() * 100) + " %)";
    }
}
