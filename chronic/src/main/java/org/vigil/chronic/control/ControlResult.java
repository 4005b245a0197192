package org.vigil.chronic.control;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.vigil.common.model.Condition;

/**
 * The control status of one condition of one patient, with what it rests on.
 *
 * @param basis    what decided it: {@code home_mean} (mean of home readings), {@code office} (a follow-up's
 *                 measurement), {@code home_monitoring} (COPD and heart failure: a home-monitoring status, not a
 *                 diagnosis), or {@code none} (unknown: nothing sufficient)
 * @param figures  the numbers it rests on, by name (means, counts, targets, the follow-up date), in a stable order
 * @param from     start of the period the figures cover
 * @param to       end of that period (the evaluation time)
 * @param reason   one sentence for the doctor
 */
public record ControlResult(Condition condition, ControlStatus status, String basis, Map<String, Object> figures,
        Instant from, Instant to, String reason) {

    public ControlResult {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(status, "status");
        figures = Collections.unmodifiableMap(new LinkedHashMap<>(figures));
    }
}
