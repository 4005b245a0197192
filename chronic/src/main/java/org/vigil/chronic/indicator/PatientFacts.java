package org.vigil.chronic.indicator;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.vigil.chronic.control.ControlStatus;
import org.vigil.common.model.Condition;

/**
 * What the indicators need of one managed patient over a period.
 *
 * @param conditions         her chronic conditions (each counted once, however many she has)
 * @param standardFollowUps  follow-ups of a standard type in the period, by condition they covered
 * @param statusAtEnd        control status in effect at the end of the period, by condition (missing: unknown)
 * @param expected           home measurements her care plans expected in the period
 * @param received           of those, received (per metric at most the number expected)
 */
public record PatientFacts(long patientId, Set<Condition> conditions, Map<Condition, Integer> standardFollowUps,
        Map<Condition, ControlStatus> statusAtEnd, long expected, long received) {

    public PatientFacts {
        conditions = Set.copyOf(conditions);
        standardFollowUps = Map.copyOf(standardFollowUps);
        statusAtEnd = Map.copyOf(statusAtEnd);
        if (received > expected || received < 0) {
            throw new IllegalArgumentException("received must lie in 0..expected");
        }
    }

    int followUps(Condition c) {
        return standardFollowUps.getOrDefault(c, 0);
    }

    ControlStatus status(Condition c) {
        return Objects.requireNonNullElse(statusAtEnd.get(c), ControlStatus.UNKNOWN);
    }
}
