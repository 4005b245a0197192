package org.vigil.alerting.clinical;

import org.vigil.common.model.Metric;

/**
 * The share of readings below a limit over a window exceeds a target: glucose below 3.9 mmol/L in more than 4 %
 * of readings over 14 days (time below range, CGM consensus). Counts per bucket in an {@link AggregateRing}.
 */
final class ShareBelowRule extends Rule {

    private final RuleSpec.ShareBelow spec;
    private final long window;
    private final long lateHorizon;
    private final AggregateRing.Sums sums = new AggregateRing.Sums();

    ShareBelowRule(RuleSpec.ShareBelow spec, long lateHorizon) {
        super(spec.id(), Moment.bit(spec.metric()), spec.lifecycle(), spec.appliesTo());
        this.spec = spec;
        this.window = spec.window().toMillis();
        this.lateHorizon = lateHorizon;
    }

    @Override
    Detector detector(Object key) {
        AggregateRing ring = new AggregateRing(spec.bucket().toMillis(), window + lateHorizon, false, spec.below());
        Metric metric = spec.metric();
        return new Detector() {
            @Override
            public void evaluate(Moment m, Verdict out) {
                ring.add(m.time, m.value(metric));
                if (m.time < ring.newestAt() - lateHorizon) {
                    return;
                }
                sums.reset();
                ring.accumulate(m.time - window, m.time, sums);
                if (sums.count < spec.minReadings()) {
                    return;
                }
                double share = (double) sums.below / sums.count;
                out.n = sums.count;
                if (share > spec.share()) {
                    out.firing(spec.severity(), metric, share * 100, true);
                } else {
                    out.inRange(metric, share * 100);
                }
            }

            @Override
            public String describe(Verdict v) {
                return Format.num(v.value) + " % of " + v.n + " readings below " + Format.value(metric, spec.below())
                        + " over " + Format.span(window) + " (target under " + Format.num(spec.share() * 100) + " %)";
            }
        };
    }

    @Override
    long lookbackMillis() {
        return window + lateHorizon;
    }
}
