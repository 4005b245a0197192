package org.vigil.alerting.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vigil.alerting.clinical.KnownAlert;
import org.vigil.alerting.clinical.PatientProfile;
import org.vigil.common.model.Reading;

/**
 * A patient as stored: the profile, the history (in measurement order), the alerts, her devices' last known
 * connection state, and per ingest log stream the position of her newest reading in the history (so a reading
 * handed over again later can be told from a new one: everything of a stream up to that position was committed
 * before this snapshot, and is in the history if measured since {@code since}, epoch ms).
 *
 * <p>With {@code saved} engine state, the history holds only the readings that state does not: those above its
 * positions, measured since {@code since}. What {@link PatientHistoryStore} reads for the engine to take her over.
 */
public record PatientSnapshot(PatientProfile profile, List<Reading> history, List<KnownAlert> known,
                              List<DeviceState> devices, Map<Long, Long> positions, EngineStateStore.Saved saved, long since) {

    public PatientSnapshot {
        positions = Map.copyOf(positions);
    }

    public PatientSnapshot(PatientProfile profile, List<Reading> history, List<KnownAlert> known,
                           List<DeviceState> devices, Map<Long, Long> positions) {
        this(profile, history, known, devices, positions, null, Long.MIN_VALUE);
    }

    public PatientSnapshot(PatientProfile profile, List<Reading> history, List<KnownAlert> known,
                           List<DeviceState> devices) {
        this(profile, history, known, devices, Map.of());
    }

    /** The history without {@code fresh} (same device, metric and measurement time), in its order. */
    public List<Reading> historyExcept(Collection<Reading> fresh) {
        if (fresh.isEmpty()) {
            return history;
        }
        Set<ReadingKey> skip = new HashSet<>();
        fresh.forEach(r -> skip.add(ReadingKey.of(r)));
        List<Reading> past = new ArrayList<>(history.size());
        for (Reading r : history) {
            if (!skip.contains(ReadingKey.of(r))) {
                past.add(r);
            }
        }
        return past;
    }

    private record ReadingKey(long deviceId, int metric, long measuredAt) {
        static ReadingKey of(Reading r) {
            return new ReadingKey(r.deviceId(), r.metric().ordinal(), r.measuredAt());
        }
    }

    /** A device bound to the patient, as ingest last recorded it. */
    public record DeviceState(long deviceId, boolean connected, Instant changedAt) {
    }
}
