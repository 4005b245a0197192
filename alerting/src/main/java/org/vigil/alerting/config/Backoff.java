package org.vigil.alerting.config;

import java.time.Duration;
import java.util.Objects;

/**
 * When to try a failed delivery again: {@code min} after the first failure, doubling with each further failure,
 * never more than {@code max}. Deterministic (no jitter): each organisation's queue retries only its head, so
 * receivers are not hit by synchronised retry storms from one queue, and the schedule stays easy to read in
 * {@code next_attempt_at}.
 *
 * @param min the delay after the first failure
 * @param max the longest delay
 */
public record Backoff(Duration min, Duration max) {

    public Backoff {
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(max, "max");
        if (min.isNegative() || min.isZero()) {
            throw new IllegalArgumentException("min must be positive, got " + min);
        }
        if (max.compareTo(min) < 0) {
            throw new IllegalArgumentException("max " + max + " must not be below min " + min);
        }
    }

    /** The delay before the next attempt after {@code failures} failed attempts (at least 1). */
    public Duration after(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be at least 1, got " + failures);
        }
        int doublings = failures - 1;
        // Doubling min this many times would pass max (or overflow): the cap applies.
        if (doublings >= 62 || min.toMillis() > (max.toMillis() >> doublings)) {
            return max;
        }
        Duration delay = min.multipliedBy(1L << doublings);
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
