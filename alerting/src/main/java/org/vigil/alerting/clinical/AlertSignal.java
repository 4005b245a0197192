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
 * score for {@code news2}, and the hours without data for missing-data rules. A {@code CLEAR} or
 * {@code BACK_IN_RANGE} carries the in-range figure that ended the episode or marked it.
 *
 * @param patientId    the patient
 * @param ruleId       the rule; missing-data rules are named {@code missing_<metric>}
 * @param kind         what happened to the episode
 * @param severity     the episode's severity: the worst reached so far
 * @param metric       the metric the figure is about
 * @param value        see above
 * @param worst        the worst figure of the episode so far: the headline's figure; equal to {@code value} on
 *                     {@code OPEN}
 * @param measuredAt   measurement time the signal is about, epoch milliseconds; for a missing-data alert the
 *                     moment the data became overdue
 * @param late         raised from late data: received well after it was measured (a buffered upload) or
 *                     older than readings already evaluated; also set on signals that reconcile state after a
 *                     restart
 * @param detail       a short sentence for the doctor about this signal's observation, e.g. "7-day mean
 *                     142/88 mmHg over 9 readings on 4 days"
 * @param occurrences  firing observations in this episode so far
 * @param flaps        clear-and-reopen cycles suppressed in this episode because it is flapping
 * @param headline     what the alert leads with: the episode's worst observation, not its latest; {@code null}
 *                     when the engine does not know it (an alert adopted from the store after a restart that
 *                     has not fired since), in which case the stored headline stands
 * @param backInRange  the episode is marked back in range but waits for a doctor (see
 *                     {@link Kind#BACK_IN_RANGE}); false once it fires again
 */
public record AlertSignal(long patientId, String ruleId, Kind kind, Severity severity, Metric metric, double value,
                          double worst, long measuredAt, boolean late, String detail, int occurrences, int flaps,
                          Headline headline, boolean backInRange) {

    /** What happened to the episode. */
    public enum Kind {
        /** A new episode: notify the responsible doctor. */
        OPEN,
        /**
         * The episode goes on (count, latest and worst value); stored, not notified. At most once per the rule's
         * {@code updateEvery} of measurement time: a 1 Hz stream in crisis must not produce a signal per second.
         * Also at once when an episode marked back in range fires again at a severity that clears itself.
         */
        UPDATE,
        /** The episode's severity rose (warning to critical): notify again. */
        WORSEN,
        /**
         * Back in range long enough (hysteresis), and the episode's severity may clear itself (see
         * {@link LifecycleSettings#autoClear()}): the episode resolves automatically.
         */
        CLEAR,
        /**
         * Back in range long enough, but the episode reached a severity that may not clear itself: it stays
         * active, marked back in range, until a doctor resolves it; unacknowledged, it keeps escalating. Stored,
         * not notified. A critical event must not vanish before a doctor has seen it.
         */
        BACK_IN_RANGE,
        /**
         * An episode marked back in range fired again at a severity that may not clear itself: a new event on
         * the same alert, which is still waiting for a doctor. Notify again (and reopen it if acknowledged), as
         * for a worsening: an older alert someone acknowledged must not swallow a new crisis.
         */
        RECUR,
        /**
         * The rule is flapping: an episode that would have cleared and reopened, or that reopens soon after
         * clearing repeatedly (or comes back repeatedly after being marked back in range), is kept or made active
         * without notifying anyone. Store it as active (open it if there is no active alert for the rule) and
         * count it.
         */
        FLAP_SUPPRESSED;

        /** Whether a doctor should hear of it. */
        public boolean notifies() {
            return this == OPEN || this == WORSEN || this == RECUR;
        }
    }

    /**
     * The observation an alert leads with: the first at the episode's highest severity, replaced only by a more
     * extreme figure of the same metric in the same direction. A reading back in range never replaces it.
     *
     * @param metric         the metric of the figure
     * @param value          the figure
     * @param measuredAt     when it was measured, epoch milliseconds
     * @param detail         the sentence that described it when it was observed
     * @param higherIsWorse  whether a higher figure of this metric is worse for the rule (false for "low" rules)
     */
    public record Headline(Metric metric, double value, long measuredAt, String detail, boolean higherIsWorse) {

        public Headline {
            Objects.requireNonNull(metric, "metric");
            Objects.requireNonNull(detail, "detail");
        }

        /**
         * Whether this headline replaces the figure an alert leads with now: the same metric, strictly worse (an
         * equal figure leaves the first one standing).
         */
        public boolean worseThan(Metric currentMetric, double currentValue) {
            return metric == currentMetric && (higherIsWorse ? value > currentValue : value < currentValue);
        }
    }

    public AlertSignal {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(detail, "detail");
    }

    /**
     * A signal whose observation is its own headline (higher figures worse; none for a reading back in range),
     * not marked back in range: what missing-data rules and simple callers produce.
     */
    public AlertSignal(long patientId, String ruleId, Kind kind, Severity severity, Metric metric, double value,
                       double worst, long measuredAt, boolean late, String detail, int occurrences, int flaps) {
        this(patientId, ruleId, kind, severity, metric, value, worst, measuredAt, late, detail, occurrences, flaps,
                kind == Kind.CLEAR || kind == Kind.BACK_IN_RANGE ? null
                        : new Headline(metric, worst, measuredAt, detail, true), false);
    }
}
