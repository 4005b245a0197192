package org.vigil.alerting.clinical;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.vigil.common.model.Condition;

import java.util.Arrays;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/**
 * A NEWS2-style early-warning score from the latest spot value of respiratory rate, SpO2, systolic pressure,
 * pulse and temperature, each counted only if measured within {@code maxAge} of the moment evaluated. Alerts
 * (warning) on a total at or above {@code warningTotal} or any single parameter scoring 3; critical at
 * {@code criticalTotal}. SpO2 uses scale 2 for patients with a condition in {@code scale2For} (COPD).
 *
 * <p>NEWS2 was validated for acute hospital care. At home, with devices instead of nurses, it is an aid that
 * points a doctor at a patient, not a validated triage score. Only spot measurements count: the chart scores
 * observations, and one noisy second of a wearable is not one.
 *
 * <p>State per patient: five latest values with their times. Moments older than the last one scored only
 * update those values.
 */
final class News2Rule extends Rule {

    private static final Metric[] PARAMETERS =
            {Metric.RESP_RATE, Metric.SPO2, Metric.SYSTOLIC_BP, Metric.HEART_RATE, Metric.BODY_TEMP};
    private static final String[] NAMES = {"resp rate", "SpO2", "systolic", "pulse", "temp"};

    private final RuleSpec.News2 spec;
    private final long maxAge;

    News2Rule(RuleSpec.News2 spec) {
        super(spec.id(), mask(), spec.lifecycle(), spec.appliesTo());
        this.spec = spec;
        this.maxAge = spec.maxAge().toMillis();
    }

    private static int mask() {
        int mask = 0;
        for (Metric m : PARAMETERS) {
            mask |= Moment.bit(m);
        }
        return mask;
    }

    @Override
    Object bindingKey(PatientProfile profile) {
        if (!appliesTo(profile)) {
            return null;
        }
        for (Condition c : spec.scale2For()) {
            if (profile.has(c)) {
                return Boolean.TRUE;
            }
        }
        return Boolean.FALSE;
    }

    @Override
    Detector detector(Object key) {
        return new ScoreDetector((Boolean) key);
    }

    @Override
    long lookbackMillis() {
        return maxAge;
    }

    private final class ScoreDetector implements Detector {

        private final boolean scale2;
        private final double[] values = new double[PARAMETERS.length];
        private final long[] at = new long[PARAMETERS.length];
        private final int[] scores = new int[PARAMETERS.length];
        private long lastScored = Long.MIN_VALUE;

        ScoreDetector(boolean scale2) {
            this.scale2 = scale2;
            Arrays.fill(at, Long.MIN_VALUE);
        }

        @Override
        public void evaluate(Moment m, Verdict out) {
            boolean any = false;
            for (int k = 0; k < PARAMETERS.length; k++) {
                if (m.has(PARAMETERS[k], RuleSpec.Input.SPOT)) {
                    any = true;
                    if (m.time >= at[k]) {
                        values[k] = m.value(PARAMETERS[k]);
                        at[k] = m.time;
                    }
                }
            }
            if (!any || m.time < lastScored) {
                return;
            }
            lastScored = m.time;
            int used = 0;
            int total = 0;
            int worst = -1;
            for (int k = 0; k < PARAMETERS.length; k++) {
                if (at[k] == Long.MIN_VALUE || at[k] > m.time || at[k] < m.time - maxAge) {
                    scores[k] = -1;
                    continue;
                }
                scores[k] = score(k, values[k]);
                used++;
                total += scores[k];
                if (worst < 0 || scores[k] > scores[worst]) {
                    worst = k;
                }
            }
            if (used < spec.minParameters()) {
                return;
            }
            out.n = used;
            Severity severity = total >= spec.criticalTotal() ? Severity.CRITICAL
                    : total >= spec.warningTotal() || scores[worst] == 3 ? Severity.WARNING : null;
            if (severity != null) {
                out.firing(severity, PARAMETERS[worst], total, true);
            } else {
                out.inRange(PARAMETERS[worst], total);
            }
        }

        @Override
        public void save(DataOutput out) throws IOException {
            for (int k = 0; k < PARAMETERS.length; k++) {
                out.writeDouble(values[k]);
                out.writeLong(at[k]);
            }
            out.writeLong(lastScored);
        }

        @Override
        public void restore(DataInput in) throws IOException {
            for (int k = 0; k < PARAMETERS.length; k++) {
                values[k] = in.readDouble();
                at[k] = in.readLong();
            }
            lastScored = in.readLong();
        }

        private int score(int k, double v) {
            return switch (k) {
                case 0 -> News2Score.respiratoryRate(v);
                case 1 -> scale2 ? News2Score.spo2Scale2(v) : News2Score.spo2Scale1(v);
                case 2 -> News2Score.systolic(v);
                case 3 -> News2Score.pulse(v);
                default -> News2Score.temperature(v);
            };
        }

        @Override
        public String describe(Verdict v) {
            StringBuilder sb = new StringBuilder("NEWS2 ").append(Format.num(v.value)).append(" from ").append(v.n)
                    .append(" of 5 parameters: ");
            boolean first = true;
            for (int k = 0; k < PARAMETERS.length; k++) {
                if (scores[k] < 0) {
                    continue;
                }
                sb.append(first ? "" : ", ").append(NAMES[k]).append(' ').append(Format.num(values[k]))
                        .append(" → ").append(scores[k]);
                first = false;
            }
            if (scale2) {
                sb.append(" (SpO2 scale 2)");
            }
            return sb.append("; an aid at home, validated for acute care").toString();
        }
    }
}
