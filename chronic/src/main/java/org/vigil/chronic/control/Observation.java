package org.vigil.chronic.control;

import java.time.Instant;
import java.util.Objects;
import org.vigil.common.model.MeasurementContext;
import org.vigil.common.model.Metric;

/**
 * A home reading as the control evaluation sees it.
 *
 * @param context when a glucose reading was taken relative to meals, or {@code null}
 */
public record Observation(Metric metric, Instant at, double value, MeasurementContext context) {

    public Observation {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(at, "at");
    }

    public Observation(Metric metric, Instant at, double value) {
        this(metric, at, value, null);
    }
}
