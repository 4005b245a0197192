package org.vigil.common.model;

import java.util.Objects;

/**
 * One accepted measurement, attributed to the patient the device was bound to when it was taken.
 *
 * @param deviceId    registry id of the device that measured it
 * @param patientId   registry id of the patient it belongs to
 * @param metric      what was measured, in the metric's canonical unit
 * @param measuredAt  measurement time, epoch milliseconds (the device's clock)
 * @param value       the value in canonical units
 * @param context     when it was taken relative to meals (glucose only), or {@code null} when the device did not say
 */
public record Reading(long deviceId, long patientId, Metric metric, long measuredAt, double value,
        MeasurementContext context) {

    public Reading {
        Objects.requireNonNull(metric, "metric");
    }

    /** A reading without a measurement context. */
    public Reading(long deviceId, long patientId, Metric metric, long measuredAt, double value) {
        this(deviceId, patientId, metric, measuredAt, value, null);
    }

    /** The stored code of the context, 0 for none. */
    public int contextCode() {
        return context == null ? 0 : context.code();
    }
}
