package org.vigil.alerting.clinical;

import java.util.Objects;
import org.vigil.common.model.Metric;

/** One condition of a band: {@code metric op value}, e.g. {@code systolic_bp >= 180}. */
public record Threshold(Metric metric, Comparison comparison, double value) {

    public Threshold {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(comparison, "comparison");
    }

    public boolean matches(double measured) {
        return comparison.test(measured, value);
    }

    @Override
    public String toString() {
        return metric.wireName() + " " + comparison.symbol() + " " + value;
    }
}
