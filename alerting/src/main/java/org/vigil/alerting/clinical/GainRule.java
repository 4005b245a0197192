package org.vigil.alerting.clinical;

import org.vigil.common.model.Metric;

/**
 * The newest reading exceeds the lowest reading of the window by more than an amount: body weight up more than
 * 2 kg within 3 days in heart failure. Keeps bucket minima in an {@link AggregateRing}.
 */
final class GainRule extends Rule {

    private final RuleSpec.Gain spec;
    private final long window;
    private final long lateHorizon;
    private final AggregateRing.Sums sums = new AggregateRing.Sums();

    GainRule(RuleSpec.Gain spec, long lateHorizon) {
        super(spec.id(), Moment.bit(spec.metric()), spec.lifecycle(), spec.appliesTo());
        this.spec = spec;
        this.window = spec.window().toMillis();
        this.lateHorizon = lateHorizon;
    }

    @Override
    Detector detector(Object key) {
        AggregateRing ring = new AggregateRing(spec.bucket().toMillis(), window + lateHorizon, true, Double.NaN);
        Metric metric = spec.metric();
        return new Detector() {
            @Override
            public void evaluate(Moment m, Verdict out) {
                double v = m.value(metric);
                ring.add(m.time, v);
                if (m.time < ring.newestAt() - lateHorizon) {
                    return;
                }
                sums.reset();
                ring.accumulate(m.time - window, m.time, sums);
                double gain = v - sums.min;
                out.a = sums.min;
                out.b = v;
                if (gain > spec.amount()) {
                    out.firing(spec.severity(), metric, gain, true);
                } else {
                    out.inRange(metric, gain);
                }
            }

            @Override
            public String describe(Verdict v) {
                return Format.label(metric) + " up " + Format.value(metric, v.value) + " within " + Format.span(window)
                        + " (" + Format.num(v.a) + " → " + Format.value(metric, v.b) + ")";
            }
        };
    }

    @Override
    long lookbackMillis() {
        return window + lateHorizon;
    }
}
