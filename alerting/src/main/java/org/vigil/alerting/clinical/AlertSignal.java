package org.vigil.alerting.clinical;

import java.util.Objects;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/**
 * A change in the state of one alert episode (patient + rule), as the {@link ClinicalEngine} decides it. The
 * caller turns signals into alert rows and notifications; only {@link Kind#notifies()} kinds should reach a
 * doctor's attention.
 *
 * <p>{@code value} is the figure the rule compared with its threshold: the reading for threshold and sustained
 * rules, the window mean for {@code bp_mean_high}, the kilograms gained for {@code weight_gain}, the points
 * dropped for {@code spo2_baseline_drop}, the percentage below range for {@code glucose_low_share}, the total
 * score for {@code news2}, and the hours without data for missing-data rules. A {@code CLEAR} carries the
 * in-range figure that ended the episode.
 *
 * @param patientId    the patient
 * @param ruleId       the rule; missing-data rules are named {@code missing_<metric>}
 * @param kind         what happened to the episode
 * @param severity     the episode's severity: the worst reached so far
 * @param metric       the metric the figure is about
 * @param value        see above
 * @param worst        the worst figure of the episode so far (highest, or lowest for a "low" rule); equal to
 *                     {@code value} on {@code OPEN}
 * @param measuredAt   measurement time the signal is about, epoch milliseconds; for a missing-data alert the
 *                     moment the data became overdue
 * @param late         raised from late data: received well after it was measured (a buffered upload) or
 *                     older than readings already evaluated; also set on signals that reconcile state after a
 *                     restart
 * @param detail       a short sentence for the doctor, e.g. "7-day mean 142/88 mmHg over 9 readings"
 * @param occurrences  firing observations in this episode so far
 * @param flaps        clear-and-reopen cycles suppressed in this episode because it is flapping
 */
public record AlertSignal(long patientId, String ruleId, Kind kind, Severity severity, Metric metric, double value,
                          double worst, long measuredAt, boolean late, String detail, int occurrences, int flaps) {

    /** What happened to the episode. */
    public enum Kind {
        /** A new episode: notify the responsible doctor. */
        OPEN,
        /**
         * The episode goes on (count, latest and worst value); stored, not notified. At most once per the rule's
         * {@code updateEvery} of measurement time: a 1 Hz stream in crisis must not produce a signal per second.
         */
        UPDATE,
        /** The episode's severity rose (warning to critical): notify again. */
        WORSEN,
        /** Back in range long enough (hysteresis): the episode resolves automatically. */
        CLEAR,
        /**
         * The rule is flapping: an episode that would have cleared and reopened, or that reopens soon after
         * clearing repeatedly, is kept or made active without notifying anyone. Store it as active (open it if
         * there is no active alert for the rule) and count it.
         */
        FLAP_SUPPRESSED;

        /** Whether a doctor should hear of it. */
        public boolean notifies() {
            return this == OPEN || this == WORSEN;
        }
    }

    public AlertSignal {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(detail, "detail");
    }
}
