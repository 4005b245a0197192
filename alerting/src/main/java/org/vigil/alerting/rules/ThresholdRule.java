package org.vigil.alerting.rules;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A rule that looks at single readings: bands of severity, tried from the most severe down, so a reading
 * that is both "warning" and "critical" is critical. One rule makes one alert per patient and episode.
 *
 * @param id      stable name, stored on alerts ({@code blood_pressure_high})
 * @param title   what a doctor reads
 * @param source  the clinical source of the default values
 * @param bands   severity bands
 */
public record ThresholdRule(String id, String title, String source, List<Band> bands) {

    public ThresholdRule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        bands = bands.stream().sorted(Comparator.comparing(Band::severity).reversed()).toList();
        if (bands.isEmpty()) {
            throw new IllegalArgumentException("rule " + id + " has no bands");
        }
    }
}
