package org.vigil.chronic.grade;

import java.time.Duration;
import java.util.Objects;

/**
 * When the data suggest a higher or lower management grade (1 stable … 3 high risk). The 2025 national guidance asks
 * for graded management but its grading criteria were not retrieved: these are Vigil's defaults, configuration,
 * documented in docs/chronic-care.md.
 *
 * @param uncontrolledFor  a condition uncontrolled at least this long raises the grade to 3
 * @param criticalAlerts   this many critical alerts ...
 * @param alertWindow      ... opened within this long raise the grade to 3
 * @param stableFor        every condition controlled at least this long, and no critical alert in the window, lowers
 *                         it to 1
 */
public record GradeRules(Duration uncontrolledFor, int criticalAlerts, Duration alertWindow, Duration stableFor) {

    public GradeRules {
        Objects.requireNonNull(uncontrolledFor, "uncontrolledFor");
        Objects.requireNonNull(alertWindow, "alertWindow");
        Objects.requireNonNull(stableFor, "stableFor");
        if (criticalAlerts < 1) {
            throw new IllegalArgumentException("criticalAlerts must be at least 1");
        }
    }
}
