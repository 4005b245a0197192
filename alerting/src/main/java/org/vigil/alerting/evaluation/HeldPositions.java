package org.vigil.alerting.evaluation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;
import org.vigil.alerting.store.PatientSnapshot;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.model.Reading;

/**
 * Per patient and ingest log stream, which of her readings her state in the engine holds. In cluster mode a record of
 * the readings topic can come twice (a poll retried, a partition's uncommitted tail replayed by its next owner) or
 * hold readings her load already read; {@link #seen} tells those from new ones. Saved engine state records the
 * same positions ({@link #positions}), so that her next load reads only what the state does not hold.
 *
 * <p>Two kinds of position: what was evaluated here or came in saved state is held whatever its measurement
 * time; what her load read as history is held only if measured since the history began. A reading stored long
 * after it was measured (a glucometer synced days later) may sit below a history's newest position without being in
 * it, and must still be evaluated when its record comes.
 *
 * <p>A saved state's positions of streams with no reading of hers in what her load read (none measured since its
 * history began) are kept for {@link #seen} but not saved again: every restart starts new streams, and a stream's
 * readings stored before the save, measured before that history began, are older than any later load reads. So a
 * patient's saved positions stay as many as the streams of her last days, not of every stream since she came.
 *
 * <p>Saved state records one position per stream, the newest of either kind. One case is then not told apart: a
 * reading measured before her history began, stored before her load read it, whose record had still not come when
 * her state was saved (the node's consumer that far behind its loads), would be taken for held by her next load.
 * The first save comes an interval after the load, by when the consumer has long passed what the load read.
 */
final class HeldPositions {

    private static final class Held {
        final Map<Long, Long> evaluated = new HashMap<>();
        final Map<Long, Long> read = new HashMap<>();
        Map<Long, Long> fromSaved = Map.of();
        long readSince = Long.MIN_VALUE;
    }

    private final Map<Long, Held> patients = new HashMap<>();
    /** Patients loaded or evaluated since their state was last {@linkplain #takeChanged taken} for saving. */
    private final Set<Long> changed = new HashSet<>();

    /** Her record up to {@code position} of {@code stream} is evaluated (or waits in her queue to be). */
    void evaluated(long patientId, long stream, long position) {
        held(patientId).evaluated.merge(stream, position, Math::max);
        changed.add(patientId);
    }

    /** Her load landed: what its saved state holds, and what it read as history. */
    void loaded(long patientId, PatientSnapshot snapshot) {
        Held h = held(patientId);
        if (snapshot.saved() != null) {
            h.fromSaved = snapshot.saved().positions();
        }
        snapshot.positions().forEach((stream, position) -> h.read.merge(stream, position, Math::max));
        h.readSince = snapshot.since();
        changed.add(patientId);
    }

    /**
     * The changed patients {@code which} matches whose state is complete now ({@code loaded}); the others stay for
     * later, but for those no longer held at all.
     */
    Set<Long> takeChanged(LongPredicate which, LongPredicate loaded) {
        Set<Long> taken = new HashSet<>();
        for (Iterator<Long> it = changed.iterator(); it.hasNext(); ) {
            long id = it.next();
            if (!which.test(id)) {
                continue;
            }
            if (loaded.test(id)) {
                taken.add(id);
                it.remove();
            } else if (!patients.containsKey(id)) {
                it.remove();
            }
        }
        return taken;
    }

    /** Their states were not saved after all: taken again next time. */
    void changedAgain(Collection<Long> patientIds) {
        for (long id : patientIds) {
            if (patients.containsKey(id)) {
                changed.add(id);
            }
        }
    }

    /** Whether her state holds the record's readings already. */
    boolean seen(ReadingBatch record) {
        Held h = patients.get(record.readings().get(0).patientId());
        if (h == null) {
            return false;
        }
        Long evaluated = h.evaluated.get(record.stream());
        if (evaluated != null && record.lastPosition() <= evaluated) {
            return true;
        }
        Long saved = h.fromSaved.get(record.stream());
        if (saved != null && record.lastPosition() <= saved) {
            return true;
        }
        Long read = h.read.get(record.stream());
        if (read == null || record.lastPosition() > read) {
            return false;
        }
        for (Reading r : record.readings()) {
            if (r.measuredAt() < h.readSince) {
                return false;
            }
        }
        return true;
    }

    /** For saving her state: per stream the newest position it holds, one position per stream. */
    List<Long> positions(long patientId) {
        Held h = patients.get(patientId);
        if (h == null) {
            return List.of();
        }
        Map<Long, Long> all = new HashMap<>(h.read);
        h.evaluated.forEach((stream, position) -> all.merge(stream, position, Math::max));
        h.fromSaved.forEach((stream, position) -> {
            if (h.read.containsKey(stream)) {
                all.merge(stream, position, Math::max);
            }
        });
        return new ArrayList<>(all.values());
    }

    void forget(long patientId) {
        patients.remove(patientId);
        changed.remove(patientId);
    }

    private Held held(long patientId) {
        return patients.computeIfAbsent(patientId, k -> new Held());
    }
}
