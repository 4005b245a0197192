package org.vigil.simulator.report;

/**
 * What came of one injected scenario.
 *
 * @param scenario          scenario name, e.g. {@code hypertensive_crisis}
 * @param device            serial of the device it drove
 * @param patientId         registry id of the patient
 * @param doctorId          registry id of the patient's doctor, who should get the alert
 * @param expectedRule      the rule expected (may end in {@code *})
 * @param expectedSeverity  {@code critical}, {@code warning}, or null for any
 * @param outcome           the verdict
 * @param rule              rule of the alert that came (null if none)
 * @param severity          its severity (null if none)
 * @param alertDoctorId     doctor the alert named (0 if none)
 * @param latencyMs         from the upload (or the silence) that made it fire to the alert on the feed, ms; -1 if none
 * @param detail            a sentence for people
 */
public record ScenarioVerdict(String scenario, String device, long patientId, long doctorId, String expectedRule,
        String expectedSeverity, Outcome outcome, String rule, String severity, long alertDoctorId, double latencyMs,
        String detail) {

    /** How a scenario ended. */
    public enum Outcome {
        /** The expected alert came, severe enough, to the patient's doctor. */
        PASSED,
        /** The expected rule fired for the patient, but on another doctor's feed or naming another doctor. */
        WRONG_DOCTOR,
        /** The expected rule fired, but less severe than expected. */
        WRONG_SEVERITY,
        /** The expected rule fired, but its detail names another cause (a silent device, or a patient who did not measure). */
        WRONG_CAUSE,
        /** No expected alert within the run and its wait. */
        MISSED,
        /** The scenario could not be played (no suitable patient, or its uploads could not be sent). */
        NOT_RUN
    }

    /** Whether the verdict is a pass. */
    public boolean passed() {
        return outcome == Outcome.PASSED;
    }
}
