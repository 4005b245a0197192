package org.vigil.common.model;

/**
 * Chronic conditions a patient is monitored for; a patient may have several. The registry stores them on the
 * patient, and alerting uses them to pick condition-specific rule variants (for example the SpO2 target of
 * 88–92 % for COPD).
 */
public enum Condition implements WireName {
    HYPERTENSION,
    DIABETES,
    COPD,
    HEART_FAILURE;

    /** The names, comma-separated, for error messages. */
    public static final String ALLOWED = WireName.allowed(values());

    /** The condition with that name (as the API and the rules file write it, e.g. {@code heart_failure}), or {@code null}. */
    public static Condition fromWire(String value) {
        return WireName.find(values(), value);
    }
}
