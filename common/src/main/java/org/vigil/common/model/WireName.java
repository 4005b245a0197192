package org.vigil.common.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A constant named on the wire (API, payloads, configuration, metric tags) by its Java name in lower case:
 * {@code HEART_FAILURE} is {@code heart_failure}. Enums implement it and get both directions and the list of
 * allowed names for error messages.
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

    /** The wire names of {@code values}, comma-separated, for error messages and documentation. */
    static String allowed(WireName[] values) {
        return Arrays.stream(values).map(WireName::wireName).collect(Collectors.joining(", "));
    }
}
