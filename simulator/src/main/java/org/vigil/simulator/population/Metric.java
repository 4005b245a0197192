package org.vigil.simulator.population;

/**
 * The vital signs the simulator sends, in their canonical units (as docs/payloads.md lists them). Whole
 * metrics are sent as integers, the others with one decimal.
 */
public enum Metric implements WireName {
    SYSTOLIC_BP(true),
    DIASTOLIC_BP(true),
    HEART_RATE(true),
    RESP_RATE(true),
    SPO2(true),
    GLUCOSE(false),
    BODY_WEIGHT(false),
    BODY_TEMP(false);

    private final boolean whole;

    Metric(boolean whole) {
        this.whole = whole;
    }

    /** Whether values are whole numbers (mmHg, /min, %) rather than one-decimal ones (mmol/L, kg, °C). */
    public boolean whole() {
        return whole;
    }

    /** Rounds a value the way this metric is sent. */
    public double round(double value) {
        return whole ? Math.rint(value) : Math.rint(value * 10) / 10.0;
    }
}
