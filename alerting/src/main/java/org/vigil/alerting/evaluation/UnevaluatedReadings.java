package org.vigil.alerting.evaluation;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongPredicate;
import org.vigil.alerting.store.PatientSnapshot;

/**
 * The {@link PatientLoader}'s patients with readings a dead stream left never evaluated, each with the earliest
 * measurement time among them: her load replays them, so it must read back that far. A saved engine state's tail
 * reaches back the late horizon before the state was saved; a reading synced later than that after it was measured
 * needs her whole history. Single-threaded, like the loader.
 */
final class UnevaluatedReadings {

    private final Map<Long, Long> since = new HashMap<>();

    void add(long patientId, long earliestMeasured) {
        since.merge(patientId, earliestMeasured, Math::min);
    }

    /** Whether a saved state may be read for her: one saved by {@code now} reaches back to {@code lateCutoff}. */
    boolean savedStateMayDo(long patientId, long lateCutoff) {
        Long earliest = since.get(patientId);
        return earliest == null || earliest >= lateCutoff;
    }

    /**
     * Her load landed, and what it needs is taken: whether it brought a saved state whose tail begins after her
     * earliest such reading (a clock stepped back, or a state saved since), so that her whole history must be read.
     */
    boolean missedBy(long patientId, PatientSnapshot snapshot) {
        Long earliest = since.remove(patientId);
        return earliest != null && snapshot.saved() != null && earliest < snapshot.since();
    }

    void forget(long patientId) {
        since.remove(patientId);
    }

    void forget(LongPredicate gone) {
        since.keySet().removeIf(gone::test);
    }
}
