package org.vigil.alerting.clinical;

/**
 * The newest reading exceeds the lowest reading of the window by more than an amount: body weight up more than
 * 2 kg within 3 days in heart failure. Keeps bucket minima in an {@link AggregateRing}.
 */
final class GainRule extends RingRule {

    private final double amount;
    private final AggregateRing.Sums sums = new AggregateRing.Sums();

    GainRule(RuleSpec.Gain spec, long lateHorizon) {
        super(spec.id(), spec.metric(), spec.severity(), spec.lifecycle(), spec.appliesTo(), spec.bucket(),
                spec.window().toMillis(), lateHorizon, true, Double.NaN);
        this.amount = spec.amount();
    }

    @Override
    void evaluate(AggregateRing ring, Moment m, double value, Verdict out) {
        sums.reset();
        ring.accumulate(m.time - window, m.time, sums);
        double gain = value - sums.min;
        out.a = sums.min;
        out.b = value;
        judge(out, gain > amount, gain);
    }

    @Override
    String describe(Verdict v) {
        return Format.label(metric) + " up " + Format.value(metric, v.value) + " within " + Format.span(window)
                + " (" + Format.num(v.a) + " → " + Format.value(metric, v.b) + ")";
    }
}
