package org.vigil.common.model;

/**
 * When a glucose reading was taken relative to meals, as home glucometers report it. Only fasting readings decide
 * glucose control (national basic public health service standard, 3rd edition: fasting glucose < 7.0 mmol/L); the
 * others are kept for the doctor and for trend views.
 *
 * <p>The {@code code} is the small integer stored in {@code reading.context}; never renumber. A reading without a
 * context (every metric but glucose, and glucose from a device that does not say) stores {@code NULL}.
 */
public enum MeasurementContext {
    FASTING(1, "fasting"),
    BEFORE_MEAL(2, "before_meal"),
    AFTER_MEAL(3, "after_meal"),
    BEDTIME(4, "bedtime"),
    RANDOM(5, "random");

    /** The wire names, comma-separated, for error messages and documentation. */
    public static final String ALLOWED = "fasting, before_meal, after_meal, bedtime, random";

    private final int code;
    private final String wireName;

    MeasurementContext(int code, String wireName) {
        this.code = code;
        this.wireName = wireName;
    }

    public int code() {
        return code;
    }

    /** The name used in payloads and the API, e.g. {@code before_meal}. */
    public String wireName() {
        return wireName;
    }

    /** The context with that payload name, or {@code null}. */
    public static MeasurementContext byName(String name) {
        for (MeasurementContext c : values()) {
            if (c.wireName.equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** The context stored under that code, or {@code null} for 0 (none); throws on a code no release wrote. */
    public static MeasurementContext byCode(int code) {
        if (code == 0) {
            return null;
        }
        for (MeasurementContext c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown measurement context code " + code);
    }
}
