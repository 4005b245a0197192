package org.vigil.alerting.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.vigil.common.db.Transactions;

/**
 * Saved clinical-engine state, one row per patient (migration V24); {@link PatientHistoryStore} reads it back when
 * a node takes the patient over. Blocking: call from a worker.
 */
public final class EngineStateStore {

    private static final String SAVE = """
            INSERT INTO alert_engine_state (patient_id, fingerprint, positions, saved_at, state) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (patient_id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, positions = EXCLUDED.positions,
                                                   saved_at = EXCLUDED.saved_at, state = EXCLUDED.state""";

    private static final String PRUNE = "DELETE FROM alert_engine_state WHERE saved_at < ?";

    /**
     * One patient's state: the bytes, and per ingest log stream the newest position whose readings it holds (one
     * position per stream: a position names its stream).
     */
    public record State(long patientId, byte[] state, List<Long> positions) {

        public State {
            Objects.requireNonNull(state, "state");
            positions = List.copyOf(positions);
        }
    }

    private final DataSource dataSource;

    public EngineStateStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Saves the states, replacing each patient's previous one, in one transaction; returns the bytes written. */
    public long save(long fingerprint, Instant savedAt, Collection<State> states) throws SQLException {
        return Transactions.run(dataSource, c -> {
            long bytes = 0;
            try (PreparedStatement ps = c.prepareStatement(SAVE)) {
                Timestamp at = Timestamp.from(savedAt);
                for (State s : states) {
                    ps.setLong(1, s.patientId());
                    ps.setLong(2, fingerprint);
                    ps.setArray(3, c.createArrayOf("bigint", s.positions().toArray()));
                    ps.setTimestamp(4, at);
                    ps.setBytes(5, s.state());
                    ps.addBatch();
                    bytes += s.state().length;
                }
                ps.executeBatch();
            }
            return bytes;
        });
    }

    /**
     * Deletes the states saved before {@code before}: those of patients not evaluated since (discharged, gone quiet),
     * so that the table holds about one row per active patient. A state older than the engine's lookback is worth no
     * more than the history a rebuild would read instead. Returns how many were deleted.
     */
    public int prune(Instant before) throws SQLException {
        return Transactions.run(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(PRUNE)) {
                ps.setTimestamp(1, Timestamp.from(before));
                return ps.executeUpdate();
            }
        });
    }
}
