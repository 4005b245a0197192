package org.vigil.simulator.scenario;

import io.vertx.core.json.JsonObject;

/**
 * An alert event read from a doctor's live feed.
 *
 * @param receivedNanos  {@link System#nanoTime()} when it arrived
 * @param feedDoctorId   the doctor whose feed carried it
 * @param event          {@code alert.opened}, {@code alert.escalated} or {@code alert.acknowledged}
 * @param alert          the event's data: id, patientId, doctorId, rule, severity, measuredAt, openedAt, ...
 */
public record AlertEvent(long receivedNanos, long feedDoctorId, String event, JsonObject alert) {

    /** Whether the event notifies a doctor (opened or escalated), which is what scenarios are judged on. */
    public boolean notifies() {
        return "alert.opened".equals(event) || "alert.escalated".equals(event);
    }
}
