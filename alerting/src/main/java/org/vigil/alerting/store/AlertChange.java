package org.vigil.alerting.store;

import io.vertx.core.json.JsonObject;
import org.vigil.alerting.clinical.AlertSignal;

/**
 * What applying a signal, a doctor's action or the escalation sweep did to one alert.
 *
 * @param kind     what happened; {@code null} when a doctor's action changed nothing (acknowledging twice)
 * @param alert    the alert as it is now
 * @param signal   the signal that caused it, or {@code null} for a doctor's action
 */
public record AlertChange(Kind kind, JsonObject alert, AlertSignal signal) {

    /** Who the engine's own transitions are recorded as. */
    public static final String SYSTEM = "system";
    /** The disposition of an alert the engine resolved because its condition cleared. */
    public static final String AUTO_CLEARED = "auto_cleared";

    /** What applying a signal, or a doctor's action, did to the patient's alert. */
    public enum Kind {
        /** A new episode: tell the doctor. */
        OPENED,
        /**
         * Worse than before (warning to critical), or a condition that needs a doctor came back after the alert
         * was marked back in range: tell the doctor again.
         */
        ESCALATED,
        /** Stored without telling anyone: a repeat, or an alert made active while flapping. */
        UPDATED,
        /** A doctor acknowledged it. */
        ACKNOWLEDGED,
        /** Resolved: automatically, or by a doctor with a disposition. */
        RESOLVED,
        /** A doctor put reminders and escalation off until a time, with a reason. */
        SNOOZED,
        /** Still unacknowledged after the escalation interval: told the responsible doctor again. */
        REMINDED,
        /** Still unacknowledged: sent one tier up as well (township, then county), and reminded. */
        TIER_ESCALATED,
        /** The patient's contract changed or ended: the active alert now belongs to the doctor responsible. */
        REROUTED;

        /** The {@code change} of the {@code vigil.alerts.changed} event and the transition record. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
