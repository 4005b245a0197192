package org.vigil.chronic.indicator;

import java.util.List;
import java.util.Objects;

/**
 * One figure of the panel: a rate ({@code numerator ÷ denominator}), a count (no denominator), or a time
 * ({@code value} in seconds over {@code denominator} alerts).
 *
 * @param id                    stable name, e.g. {@code bp_control_rate}
 * @param title                 for people, e.g. {@code 血压控制率 (BP control rate)}
 * @param numeratorDefinition   exactly what is counted above the line
 * @param denominatorDefinition exactly what is counted below it, or {@code null} for a count
 * @param numerator             the count above the line (a count indicator: the count)
 * @param denominator           the count below it ({@code 0} for a count indicator)
 * @param value                 the rate (0–1), the count, or the seconds; {@code null} when the denominator is 0
 * @param numeratorPatients     the patients behind the numerator, ascending, each once (for adherence, those who sent
 *                              at least one expected measurement; for alert times, those with an acknowledged alert)
 * @param denominatorPatients   the patients behind the denominator, ascending, each once
 */
public record Indicator(String id, String title, String numeratorDefinition, String denominatorDefinition,
        long numerator, long denominator, Double value, List<Long> numeratorPatients, List<Long> denominatorPatients) {

    public Indicator {
        Objects.requireNonNull(id, "id");
        numeratorPatients = List.copyOf(numeratorPatients);
        denominatorPatients = List.copyOf(denominatorPatients);
    }
}
