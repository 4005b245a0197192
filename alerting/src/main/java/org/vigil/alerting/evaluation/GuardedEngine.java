package org.vigil.alerting.evaluation;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.alerting.clinical.ClinicalEngine;
import org.vigil.alerting.clinical.PatientProfile;
import org.vigil.alerting.store.PatientSnapshot;
import org.vigil.common.model.Reading;

/**
 * The {@link PatientLoader}'s calls into the engine, with what happens when the engine refuses one: a care plan the
 * rules reject keeps the default thresholds, readings the engine refuses are logged, not thrown into the event loop.
 */
final class GuardedEngine {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedEngine.class);

    private final ClinicalEngine engine;

    GuardedEngine(ClinicalEngine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    /**
     * Puts her into the engine: rebuilt from her history, or resumed from her saved state and the readings after it;
     * empty when that state does not fit.
     *
     * @throws IllegalArgumentException when the engine refuses her profile
     */
    Optional<List<AlertSignal>> restore(PatientProfile profile, PatientSnapshot s, List<Reading> past,
                                        Instant now) {
        // Connection state first: a device that is online is not "silent" when missing data is checked.
        for (PatientSnapshot.DeviceState d : s.devices()) {
            engine.onConnectionState(profile.patientId(), d.deviceId(), d.connected(), d.changedAt());
        }
        return s.saved() == null ? Optional.of(engine.rebuild(profile, past, s.known(), now))
                : engine.resume(profile, s.saved().state(), past, s.known(), now);
    }

    List<AlertSignal> evaluate(PatientProfile profile, List<Reading> readings, Instant receivedAt) {
        try {
            return engine.onReadings(profile, readings, receivedAt);
        } catch (IllegalArgumentException e) {
            LOG.error("Readings not evaluated [patient: {}]: {}", profile.patientId(), e.getMessage());
            return List.of();
        }
    }

    /** A profile whose care plan the engine rejects (rules changed since it was stored) keeps the defaults. */
    PatientProfile usable(PatientProfile profile) {
        try {
            engine.validate(profile);
            return profile;
        } catch (IllegalArgumentException e) {
            LOG.warn("Care-plan thresholds ignored, defaults apply [patient: {}]: {}", profile.patientId(),
                    e.getMessage());
            return new PatientProfile(profile.patientId(), profile.conditions(), Map.of(), profile.expected(),
                    profile.monitoredSince());
        }
    }
}
