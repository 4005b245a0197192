package org.vigil.simulator.population;

import java.util.Locale;

/**
 * A constant named on the wire (registry API, payloads, command line) by its Java name in lower case:
 * {@code HEART_FAILURE} is {@code heart_failure}. Enums implement it and get both directions.
 */
public interface WireName {

    /** The Java name; every enum constant has one. */
    String name();

    /** The name on the wire, e.g. {@code heart_failure}. */
    default String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The constant among {@code values} with that wire name, or {@code null}. */
    static <E extends WireName> E find(E[] values, String wireName) {
        for (E e : values) {
            if (e.wireName().equals(wireName)) {
                return e;
            }
        }
        return null;
    }
}
