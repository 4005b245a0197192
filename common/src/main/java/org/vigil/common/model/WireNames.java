package org.vigil.common.model;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The wire names of one enum's constants, each way: the constant a name stands for, and the names allowed, for error
 * messages and documentation. An enum holds one as {@code NAMES}, built from {@code values()}, instead of each enum
 * writing its own lookup.
 */
public final class WireNames<E extends WireName> {

    private final Map<String, E> byName = new LinkedHashMap<>();
    private final String allowed;

    public WireNames(E[] values) {
        for (E e : values) {
            byName.put(e.wireName(), e);
        }
        allowed = Arrays.stream(values).map(WireName::wireName).collect(Collectors.joining(", "));
    }

    /** The constant with that wire name, or {@code null} (for {@code null} too). */
    public E find(String wireName) {
        return wireName == null ? null : byName.get(wireName);
    }

    /** The wire names, comma-separated, in declaration order. */
    public String allowed() {
        return allowed;
    }
}
