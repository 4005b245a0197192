package org.vigil.alerting.evaluation;

import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.vigil.alerting.store.EvaluationLog;

/**
 * Without Kafka, what is done with the tails of dead ingest streams: their patients are loaded again, and a load
 * replays what is stored and reconciles with the alert store, so a missed alert opens once
 * ({@link PatientLoader#reload}). The cluster's counterpart hands the tails to the readings topic ({@link TailHandoff}).
 *
 * <p>A patient whose tail holds a reading measured more than the late horizon ago (a device's memory synced late)
 * reads her whole history: a saved engine state's tail reaches back only that far before the state was saved, and
 * that reading was never evaluated. The others may resume from saved state, whose tail holds their readings: a state
 * saved before the crash, at most now, reaches back to at least the late horizon before now.
 */
final class LocalTails implements EvaluationResume.Tails {

    private final EvaluationLog log;
    private final PatientLoader patients;
    private final Supplier<Instant> lateCutoff;
    /** The patients of the last {@link #find} with a reading measured before its cutoff. */
    private volatile Set<Long> older = Set.of();

    /** @param lateCutoff now less the engine's late horizon */
    LocalTails(EvaluationLog log, PatientLoader patients, Supplier<Instant> lateCutoff) {
        this.log = Objects.requireNonNull(log, "log");
        this.patients = Objects.requireNonNull(patients, "patients");
        this.lateCutoff = Objects.requireNonNull(lateCutoff, "lateCutoff");
    }

    @Override
    public Set<Long> find(List<Long> streams, Instant since) throws SQLException {
        long cutoff = lateCutoff.get().toEpochMilli();
        Map<Long, Long> earliest = log.tailPatients(streams, since);
        Set<Long> old = new HashSet<>();
        earliest.forEach((patientId, measured) -> {
            if (measured < cutoff) {
                old.add(patientId);
            }
        });
        older = old;
        return earliest.keySet();
    }

    @Override
    public void resume(List<Long> streams, Set<Long> units, Instant since) {
        Set<Long> old = older;
        patients.reload(units, old::contains);
    }
}
