package org.vigil.alerting.clinical;

import org.vigil.common.model.Metric;

/**
 * The readings one device measured at one instant (a blood-pressure cuff's systolic, diastolic and pulse), as
 * the rules see them. Evaluating a moment rather than single readings lets a rule that watches several metrics
 * (systolic or diastolic) make one observation: a high systolic must not be "cleared" by the normal diastolic
 * of the same measurement.
 *
 * <p>One instance per engine, reused for every moment (the engine is confined to one thread): no allocation per
 * reading.
 */
final class Moment {

    static final int METRICS = Metric.values().length;

    long time;
    long receivedAt;
    boolean late;
    /** Bit {@code 1 << metric.ordinal()} set for each metric present. */
    int present;
    /** Bits of the metrics present as spot measurements (not part of a stream). */
    int spot;
    /** Bits of the metrics whose reading is older than one already evaluated. */
    int outOfOrder;
    final double[] values = new double[METRICS];

    static int bit(Metric metric) {
        return 1 << metric.ordinal();
    }

    void reset(long time, long receivedAt) {
        this.time = time;
        this.receivedAt = receivedAt;
        this.late = false;
        this.present = 0;
        this.spot = 0;
        this.outOfOrder = 0;
    }

    void put(Metric metric, double value, boolean isSpot, boolean isOutOfOrder) {
        int bit = bit(metric);
        present |= bit;
        spot = isSpot ? spot | bit : spot & ~bit;
        outOfOrder = isOutOfOrder ? outOfOrder | bit : outOfOrder & ~bit;
        values[metric.ordinal()] = value;
    }

    boolean has(Metric metric) {
        return (present & bit(metric)) != 0;
    }

    /** Present and admitted by the input filter. */
    boolean has(Metric metric, RuleSpec.Input input) {
        int bit = bit(metric);
        return input == RuleSpec.Input.SPOT ? (spot & bit) != 0 : (present & bit) != 0;
    }

    double value(Metric metric) {
        return values[metric.ordinal()];
    }
}
