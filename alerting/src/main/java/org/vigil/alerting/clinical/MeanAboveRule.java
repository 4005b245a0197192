package org.vigil.alerting.clinical;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;
import org.vigil.common.model.Metric;

/**
 * Window mean at or above limits on measurement time: the 7-day mean of home blood pressure ≥ 135/85 mmHg over
 * at least 6 readings on at least 3 days. Each limit's metric keeps its own {@link AggregateRing}; a mean is
 * evidence only over enough readings taken on enough calendar days (in the patients' zone, see
 * {@link CalendarDays}). The rule fires when any limit is met by a mean with enough evidence, and is in range
 * only when every mean has enough evidence and none is met (too little is no evidence either way): six
 * readings in one sitting are not a week of home measurements.
 */
final class MeanAboveRule extends Rule {

    private final RuleSpec.MeanAbove spec;
    private final Threshold[] limits;
    private final long window;
    private final long bucket;
    private final long lateHorizon;
    private final boolean bloodPressure;
    private final CalendarDays calendar;
    private final AggregateRing.Sums sums = new AggregateRing.Sums();

    MeanAboveRule(RuleSpec.MeanAbove spec, long lateHorizon, CalendarDays calendar) {
        super(spec.id(), mask(spec.limits()), spec.lifecycle(), spec.appliesTo());
        this.spec = spec;
        this.limits = spec.limits().toArray(Threshold[]::new);
        this.window = spec.window().toMillis();
        this.bucket = spec.bucket().toMillis();
        this.lateHorizon = lateHorizon;
        this.calendar = calendar;
        this.bloodPressure = limits.length == 2 && limits[0].metric() == Metric.SYSTOLIC_BP
                && limits[1].metric() == Metric.DIASTOLIC_BP;
    }

    private static int mask(List<Threshold> limits) {
        int mask = 0;
        for (Threshold t : limits) {
            mask |= Moment.bit(t.metric());
        }
        return mask;
    }

    @Override
    Detector detector(Object key) {
        return new MeanDetector();
    }

    @Override
    long lookbackMillis() {
        return window + lateHorizon;
    }

    private final class MeanDetector implements Detector {

        private final AggregateRing[] rings = new AggregateRing[limits.length];
        private final double[] means = new double[limits.length];
        private final int[] counts = new int[limits.length];
        private final int[] days = new int[limits.length];

        MeanDetector() {
            for (int i = 0; i < rings.length; i++) {
                rings[i] = new AggregateRing(bucket, window + lateHorizon, false, Double.NaN);
            }
        }

        @Override
        public void evaluate(Moment m, Verdict out) {
            long newest = Long.MIN_VALUE;
            boolean admitted = false;
            for (int i = 0; i < limits.length; i++) {
                if (m.has(limits[i].metric(), spec.input())) {
                    rings[i].add(m.time, m.value(limits[i].metric()));
                    admitted = true;
                }
                newest = Math.max(newest, rings[i].newestAt());
            }
            // With spot input, readings of a stream (one session at seconds' spacing) are not home measurements:
            // a burst must not make a 7-day mean by itself.
            if (!admitted || m.time < newest - lateHorizon) {
                return;
            }
            int firing = -1;
            boolean enough = true;
            for (int i = 0; i < limits.length; i++) {
                sums.reset();
                rings[i].accumulate(m.time - window, m.time, sums);
                means[i] = sums.mean();
                counts[i] = sums.count;
                // Days are counted only when the readings suffice: too few readings decide without them.
                days[i] = sums.count < spec.minReadings() ? 0 : rings[i].days(m.time - window, m.time, calendar);
                if (sums.count < spec.minReadings() || days[i] < spec.minDays()) {
                    enough = false;
                } else if (firing < 0 && limits[i].matches(means[i])) {
                    firing = i;
                }
            }
            out.n = counts[0];
            out.a = means[0];
            out.b = means.length > 1 ? means[1] : Double.NaN;
            out.c = days[0];
            if (firing >= 0) {
                out.firing(spec.severity(), limits[firing].metric(), means[firing], true);
            } else if (enough) {
                out.inRange(limits[0].metric(), means[0]);
            }
        }

        @Override
        public void save(DataOutput out) throws IOException {
            for (AggregateRing ring : rings) {
                ring.save(out);
            }
        }

        @Override
        public void restore(DataInput in) throws IOException {
            for (AggregateRing ring : rings) {
                ring.restore(in);
            }
        }

        @Override
        public String describe(Verdict v) {
            String figures;
            if (bloodPressure) {
                figures = Format.num(v.a) + "/" + Format.num(v.b) + " mmHg";
            } else {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < limits.length; i++) {
                    sb.append(i == 0 ? "" : ", ").append(Format.label(limits[i].metric())).append(' ')
                            .append(Format.value(limits[i].metric(), means[i]));
                }
                figures = sb.toString();
            }
            String target = bloodPressure
                    ? " (target below " + Format.num(limits[0].value()) + "/" + Format.num(limits[1].value()) + ")"
                    : "";
            long onDays = (long) v.c;
            return Format.window(window) + " mean " + figures + " over " + v.n + " readings on " + onDays
                    + (onDays == 1 ? " day" : " days") + target;
        }
    }
}
