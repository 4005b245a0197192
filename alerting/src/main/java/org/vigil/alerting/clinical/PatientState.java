package org.vigil.alerting.clinical;

import java.util.Arrays;

/**
 * Everything the engine keeps for one patient, indexed by rule: the detector bound to the patient's profile
 * (with its windows), and the episode. Nothing is shared between patients except stateless detectors, so the
 * engine can later be partitioned by patient.
 */
final class PatientState {

    static final long NONE = Long.MIN_VALUE;

    final long patientId;
    PatientProfile profile;
    final Object[] keys;
    final Detector[] detectors;
    final Episode[] episodes;
    /** Newest measurement time per metric: what "out of order" and "missing" are measured against. */
    final long[] newestAt = new long[Moment.METRICS];
    /** Replaced only when saved state is restored ({@link EngineState}). */
    Devices devices;
    MissingData missing;

    PatientState(long patientId, int rules, Devices devices) {
        this.patientId = patientId;
        this.keys = new Object[rules];
        this.detectors = new Detector[rules];
        this.episodes = new Episode[rules];
        this.devices = devices;
        Arrays.fill(newestAt, NONE);
    }
}
