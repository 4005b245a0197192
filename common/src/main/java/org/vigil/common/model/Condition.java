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

    /** Each constant by its wire name, and the names allowed. */
    public static final WireNames<Condition> NAMES = new WireNames<>(values());
}
