package org.vigil.common.model;

import java.util.Locale;

/**
 * A constant named on the wire (API, payloads, configuration, metric tags) by its Java name in lower case:
 * {@code HEART_FAILURE} is {@code heart_failure}. Enums implement it; {@link WireNames} goes
 * the other way, from a name to its constant.
 */
public interface WireName {

    /** The Java name; every enum constant has one. */
    String name();

    /** The name on the wire, e.g. {@code heart_failure}. */
    default String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
