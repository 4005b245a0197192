package org.vigil.chronic.control;

import java.util.Objects;

/**
 * Blood-pressure targets for patients aged {@code minAge} or more (up to the next band).
 *
 * @param home    for the mean of home readings
 * @param office  for a single office measurement at a follow-up
 */
public record AgeBand(int minAge, BpTarget home, BpTarget office) {

    public AgeBand {
        if (minAge < 0) {
            throw new IllegalArgumentException("minAge must be >= 0");
        }
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(office, "office");
    }
}
