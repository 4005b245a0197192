package org.vigil.alerting.clinical;

import java.util.List;
import java.util.Objects;
import org.vigil.common.model.Severity;

/** A severity and the thresholds any one of which puts a reading in it. */
public record Band(Severity severity, List<Threshold> anyOf) {

    public Band {
        Objects.requireNonNull(severity, "severity");
        anyOf = List.copyOf(anyOf);
        if (anyOf.isEmpty()) {
            throw new IllegalArgumentException("a band needs at least one threshold");
        }
    }
}
