package org.vigil.alerting.clinical;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.vigil.common.model.Severity;

/**
 * How one rule's episodes live: when they clear, how often a continuing episode is re-stored, when they count
 * as flapping, and which of them may clear without a doctor. All durations are measured on measurement time.
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
 * @param autoClear      the severities whose episodes resolve by themselves once back in range; an episode that
 *                       reached any other severity is only marked back in range
 *                       ({@link AlertSignal.Kind#BACK_IN_RANGE}) and stays active until a doctor resolves it. By
 *                       default warnings clear themselves and critical events wait for a doctor: a level-2
 *                       hypoglycaemia or a hypertensive crisis needs a review even when the next reading is normal
 */
public record LifecycleSettings(int clearReadings, Duration clearAfter, Duration updateEvery, Duration flapWindow,
                                int flapClears, Set<Severity> autoClear) {

    /** Severities that clear themselves unless the rules say otherwise: warnings only. */
    public static final Set<Severity> WARNINGS_ONLY = Set.of(Severity.WARNING);

    /** The built-in defaults, used where the rules file says nothing. */
    public static final LifecycleSettings DEFAULTS =
            new LifecycleSettings(2, Duration.ZERO, Duration.ofMinutes(15), Duration.ofHours(6), 2, WARNINGS_ONLY);

    public LifecycleSettings {
        Objects.requireNonNull(clearAfter, "clearAfter");
        Objects.requireNonNull(updateEvery, "updateEvery");
        Objects.requireNonNull(flapWindow, "flapWindow");
        Objects.requireNonNull(autoClear, "autoClear");
        if (clearReadings < 1) {
            throw new IllegalArgumentException("clearReadings must be at least 1");
        }
        if (flapClears < 0) {
            throw new IllegalArgumentException("flapClears must not be negative");
        }
        if (clearAfter.isNegative() || updateEvery.isNegative() || flapWindow.isNegative()) {
            throw new IllegalArgumentException("lifecycle durations must not be negative");
        }
        autoClear = autoClear.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(autoClear));
    }

    /** Settings where warnings clear themselves and critical episodes wait for a doctor. */
    public LifecycleSettings(int clearReadings, Duration clearAfter, Duration updateEvery, Duration flapWindow,
                             int flapClears) {
        this(clearReadings, clearAfter, updateEvery, flapWindow, flapClears, WARNINGS_ONLY);
    }
}
