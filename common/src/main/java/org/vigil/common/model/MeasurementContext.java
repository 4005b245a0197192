package org.vigil.common.model;

/**
 * When a glucose reading was taken relative to meals, as home glucometers report it. Only fasting readings decide
 * glucose control (national basic public health service standard, 3rd edition: fasting glucose < 7.0 mmol/L); the
 * others are kept for the doctor and for trend views.
 *
 * <p>The {@code code} is the small integer stored in {@code reading.context}; never renumber. A reading without a
 * context (every metric but glucose, and glucose from a device that does not say) stores {@code NULL}.
 */
public enum MeasurementContext implements WireName {
    FASTING(1),
    BEFORE_MEAL(2),
    AFTER_MEAL(3),
    BEDTIME(4),
    RANDOM(5);

    /** Each constant by its wire name, and the names allowed. */
    public static final WireNames<MeasurementContext> NAMES = new WireNames<>(values());

    private final int code;

    MeasurementContext(int code) {
        this.code = code;
    }

    public int code() {
        return code;
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
