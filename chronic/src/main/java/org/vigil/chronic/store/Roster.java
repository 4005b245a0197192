package org.vigil.chronic.store;

import java.time.Instant;
import java.util.Set;
import org.vigil.common.model.Condition;

/**
 * A patient's current contract as the registry publishes it ({@code care_roster}).
 *
 * @param age  her age in years, or {@code null}: the registry does not record a date of birth yet
 */
public record Roster(long patientId, String name, long doctorId, long teamId, long organisationId,
        Instant managedSince, Set<Condition> conditions, Integer age) {

    public Roster {
        conditions = Set.copyOf(conditions);
    }
}
