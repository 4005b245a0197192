package org.vigil.alerting.clinical;

import java.time.Duration;
import java.util.Objects;
import org.vigil.common.model.Metric;

/**
 * What the care plan expects a patient to measure, and how often: "blood pressure twice a day" is
 * {@code (systolic_bp, 12h, grace)}. Data counts as missing once nothing of the metric was measured for
 * {@code interval + grace}. For a blood-pressure cuff expect {@code systolic_bp}: the pair arrives together.
 *
 * @param metric    the metric that must arrive
 * @param interval  how often it should be measured
 * @param grace     tolerance on top of the interval before an adherence alert opens (patients do not measure
 *                  at the same minute every day)
 */
public record ExpectedMeasurement(Metric metric, Duration interval, Duration grace) {

    public ExpectedMeasurement {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(grace, "grace");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("expected " + metric.wireName() + ": interval must be positive");
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("expected " + metric.wireName() + ": grace must not be negative");
        }
    }

    /** An expectation with half an interval of grace: daily weight is missing after 36 h. */
    public static ExpectedMeasurement every(Metric metric, Duration interval) {
        return new ExpectedMeasurement(metric, interval, interval.dividedBy(2));
    }

    /** Milliseconds after the last measurement at which the data is missing. */
    long overdueAfterMillis() {
        return interval.toMillis() + grace.toMillis();
    }
}
