package org.vigil.common.model;

import java.util.HashMap;
import java.util.Map;

/**
 * The vital signs Vigil accepts, each in one canonical unit with the range of values a living
 * patient can present. A value outside that range is a device or transmission fault, not a
 * clinical finding, and is rejected at ingest (the ranges are deliberately wide: an alarming value
 * must never be mistaken for an impossible one).
 *
 * <p>The {@code code} is the stable small integer stored in the readings table; never renumber.
 */
public enum Metric implements WireName {
    SYSTOLIC_BP(1, "mm[Hg]", "8480-6", 40, 300),
    DIASTOLIC_BP(2, "mm[Hg]", "8462-4", 20, 200),
    HEART_RATE(3, "/min", "8867-4", 20, 300),
    RESP_RATE(4, "/min", "9279-1", 2, 80),
    SPO2(5, "%", "2708-6", 50, 100),
    GLUCOSE(6, "mmol/L", "14743-9", 0.5, 50),
    BODY_WEIGHT(7, "kg", "29463-7", 1, 400),
    BODY_TEMP(8, "Cel", "8310-5", 25, 45);

    /** mg/dL per mmol/L for glucose (molar mass 180.16 g/mol). */
    public static final double GLUCOSE_MG_DL_PER_MMOL_L = 18.016;

    private static final Map<String, Metric> BY_NAME = new HashMap<>();
    private static final Metric[] BY_CODE = new Metric[16];

    static {
        for (Metric m : values()) {
            BY_NAME.put(m.wireName(), m);
            BY_CODE[m.code] = m;
        }
    }

    private final int code;
    private final String ucum;
    private final String loinc;
    private final double min;
    private final double max;

    Metric(int code, String ucum, String loinc, double min, double max) {
        this.code = code;
        this.ucum = ucum;
        this.loinc = loinc;
        this.min = min;
        this.max = max;
    }

    /** The metric with that payload name (as the API and configuration write it, e.g. {@code systolic_bp}), or {@code null}. */
    public static Metric byName(String name) {
        return BY_NAME.get(name);
    }

    /** The metric stored under that code; throws on a code no release ever wrote. */
    public static Metric byCode(int code) {
        Metric m = code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        if (m == null) {
            throw new IllegalArgumentException("unknown metric code " + code);
        }
        return m;
    }

    public int code() {
        return code;
    }

    public String ucum() {
        return ucum;
    }

    public String loinc() {
        return loinc;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    /** Whether a living patient can present this value (bounds inclusive). */
    public boolean plausible(double value) {
        return value >= min && value <= max;
    }
}
