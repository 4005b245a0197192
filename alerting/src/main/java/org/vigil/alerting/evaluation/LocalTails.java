package org.vigil.alerting.evaluation;

import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.vigil.alerting.store.EvaluationLog;

/**
 * Without Kafka, what is done with the tails of dead ingest streams: their patients are loaded again, and a load
 * replays what is stored and reconciles with the alert store, so a missed alert opens once
 * ({@link PatientLoader#reload}). The cluster's counterpart hands the tails to the readings topic
 * ({@link TailHandoff}).
 *
 * <p>Each patient goes with the earliest measurement time of her never-evaluated readings: a saved engine state's
 * tail reaches back only the late horizon before the state was saved, so a patient with a reading older than that
 * (a device's memory synced late) reads her whole history instead ({@link PatientLoader#reload}).
 */
final class LocalTails implements EvaluationResume.Tails {

    private final EvaluationLog log;
    private final PatientLoader patients;
    /** The patients of the last {@link #find}, with the earliest measurement of their tails' readings. */
    private volatile Map<Long, Long> earliest = Map.of();

    LocalTails(EvaluationLog log, PatientLoader patients) {
        this.log = Objects.requireNonNull(log, "log");
        this.patients = Objects.requireNonNull(patients, "patients");
    }

    @Override
    public Set<Long> find(List<Long> streams, Instant since) throws SQLException {
        Map<Long, Long> found = log.tailPatients(streams, since);
        earliest = found;
        return found.keySet();
    }

    @Override
    public void resume(List<Long> streams, Set<Long> units, Instant since) {
        Map<Long, Long> found = earliest;
        Map<Long, Long> reload = new HashMap<>();
        for (long patientId : units) {
            reload.put(patientId, found.getOrDefault(patientId, Long.MIN_VALUE));
        }
        patients.reload(reload);
    }
}
