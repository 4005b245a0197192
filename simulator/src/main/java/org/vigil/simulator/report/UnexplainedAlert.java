package org.vigil.simulator.report;

/**
 * An alert no scenario explains: a false alarm, for a patient whose readings were kept in quiet ranges, or a
 * rule a scenario did not expect.
 *
 * @param alertId     the alert's id
 * @param event       {@code alert.opened} or {@code alert.escalated}
 * @param patientId   its patient
 * @param doctorId    its doctor
 * @param rule        its rule
 * @param severity    its severity
 * @param measuredAt  when the reading that raised it was measured (as the server sent it)
 * @param reason      why it is unexplained
 */
public record UnexplainedAlert(long alertId, String event, long patientId, long doctorId, String rule, String severity,
        String measuredAt, String reason) {
}
