package org.vigil.alerting.clinical;

import java.time.Duration;
import java.util.Objects;

/**
 * How one rule's episodes live: when they clear, how often a continuing episode is re-stored and when they
 * count as flapping. All durations are measured on measurement time.
 *
 * @param clearReadings  in-range observations in a row needed to clear
 * @param clearAfter     and for how long they must have been in range (zero: the count alone decides); a 1 Hz
 *                       stream needs a duration, spot checks a count, so both must hold
 * @param updateEvery    a continuing episode emits {@code UPDATE} at most this often, or sooner for a new worst
 *                       value; a 1 Hz stream in crisis must not produce a signal per second
 * @param flapWindow     the window in which repeated clears mean flapping; a flapping episode also needs this
 *                       long in range before it clears
 * @param flapClears     clears within the window after which a reopening is suppressed (0 turns flap detection
 *                       off)
 */
public record LifecycleSettings(int clearReadings, Duration clearAfter, Duration updateEvery, Duration flapWindow,
                                int flapClears) {

    /** The built-in defaults, used where the rules file says nothing. */
    public static final LifecycleSettings DEFAULTS =
            new LifecycleSettings(2, Duration.ZERO, Duration.ofMinutes(15), Duration.ofHours(6), 2);

    public LifecycleSettings {
        Objects.requireNonNull(clearAfter, "clearAfter");
        Objects.requireNonNull(updateEvery, "updateEvery");
        Objects.requireNonNull(flapWindow, "flapWindow");
        if (clearReadings < 1) {
            throw new IllegalArgumentException("clearReadings must be at least 1");
        }
        if (flapClears < 0) {
            throw new IllegalArgumentException("flapClears must not be negative");
        }
        if (clearAfter.isNegative() || updateEvery.isNegative() || flapWindow.isNegative()) {
            throw new IllegalArgumentException("lifecycle durations must not be negative");
        }
    }
}
