package org.vigil.alerting.clinical;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/**
 * A condition that must hold for a run of readings: at least {@code minReadings} meeting it, spanning at least
 * {@code minDuration}, never lapsing for more than {@code maxGap} (no reading meets it) and never back in range
 * for more than {@code tolerance}. Fires on every reading once the run qualifies, so the episode's lifecycle
 * (not this rule) turns a crisis on a 1 Hz stream into one alert. Readings back in range within the tolerance
 * are no evidence either way.
 *
 * <p>State per patient is four numbers (run start, length, last reading meeting the condition, newest
 * reading), whatever the stream rate. Runs are cut in measurement order; a reading older than the newest one
 * is ignored here (window rules still see it).
 */
final class SustainedRule extends Rule {

    private final RuleSpec.Sustained spec;
    private final long minDuration;
    private final long maxGap;
    private final long tolerance;

    SustainedRule(RuleSpec.Sustained spec) {
        super(spec.id(), Moment.bit(spec.metric()), spec.lifecycle(), spec.appliesTo());
        this.spec = spec;
        this.minDuration = spec.minDuration().toMillis();
        this.maxGap = spec.maxGap().toMillis();
        this.tolerance = spec.tolerance().toMillis();
    }

    @Override
    Object bindingKey(PatientProfile profile) {
        return appliesTo(profile) ? BandsRule.select(id, spec.bands(), spec.byCondition(), profile) : null;
    }

    @Override
    Detector detector(Object key) {
        @SuppressWarnings("unchecked")
        List<Band> bands = (List<Band>) key;
        return new RunDetector(bands.get(0));
    }

    @Override
    long lookbackMillis() {
        return minDuration + maxGap;
    }

    private final class RunDetector implements Detector {

        private final Severity severity;
        private final Threshold[] conditions;
        private final Metric metric;
        private final boolean higherIsWorse;
        private long runStart;
        private int runLength;
        private long runLast;
        private long newest = Long.MIN_VALUE;

        RunDetector(Band band) {
            this.severity = band.severity();
            this.conditions = band.anyOf().toArray(Threshold[]::new);
            this.metric = conditions[0].metric();
            this.higherIsWorse = conditions[0].comparison() == Comparison.GT || conditions[0].comparison() == Comparison.GE;
        }

        @Override
        public void evaluate(Moment m, Verdict out) {
            if (!m.has(metric, spec.input())) {
                return;
            }
            long t = m.time;
            if (t < newest) {
                return;
            }
            newest = t;
            double v = m.value(metric);
            if (!holds(v)) {
                if (runLength > 0 && t - runLast <= tolerance) {
                    return;
                }
                runLength = 0;
                out.inRange(metric, v);
                return;
            }
            if (runLength == 0 || t - runLast > maxGap) {
                runStart = t;
                runLength = 0;
            }
            runLength++;
            runLast = t;
            if (runLength >= spec.minReadings() && t - runStart >= minDuration) {
                out.firing(severity, metric, v, higherIsWorse);
                out.a = t - runStart;
                out.n = runLength;
            }
        }

        @Override
        public void save(DataOutput out) throws IOException {
            out.writeLong(runStart);
            out.writeInt(runLength);
            out.writeLong(runLast);
            out.writeLong(newest);
        }

        @Override
        public void restore(DataInput in) throws IOException {
            runStart = in.readLong();
            runLength = in.readInt();
            runLast = in.readLong();
            newest = in.readLong();
        }

        private boolean holds(double v) {
            for (Threshold c : conditions) {
                if (c.matches(v)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String describe(Verdict v) {
            if (v.outcome != Verdict.Outcome.FIRING) {
                return Format.label(metric) + " " + Format.value(metric, v.value) + ", back in range";
            }
            Threshold c = conditions[0];
            return Format.label(metric) + " " + c.comparison().symbol() + " " + Format.value(metric, c.value()) + " for "
                    + Format.span((long) v.a) + " (" + v.n + " readings), latest " + Format.value(metric, v.value);
        }
    }
}
