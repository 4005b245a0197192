package org.vigil.alerting.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.vigil.common.bus.LogStreams;
import org.vigil.common.db.Transactions;

/**
 * Saved clinical-engine state, one row per patient and owner (migrations V24, V25); {@link PatientHistoryStore} reads
 * it back when a node takes the patient over (cluster mode) or loads her again after a restart. Blocking: call from a
 * worker.
 *
 * <p>The owner says whose state it is. The nodes of a cluster share theirs ({@link #CLUSTER}): a patient is evaluated
 * by one node at a time, and whoever owns her partition next resumes her. A node without Kafka keeps its own
 * ({@link #node}): nodes that share a database without Kafka each evaluate the readings their own devices send, so
 * the state one of them saved lacks what another evaluated.
 */
public final class EngineStateStore {

    /** The owner of the state the nodes of a cluster share. */
    public static final String CLUSTER = "";

    private static final String SAVE = """
            INSERT INTO alert_engine_state (owner, patient_id, fingerprint, positions, saved_at, state)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (owner, patient_id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, positions = EXCLUDED.positions,
                                                   saved_at = EXCLUDED.saved_at, state = EXCLUDED.state""";

    private static final String PRUNE = "DELETE FROM alert_engine_state WHERE saved_at < ?";
    /** Saved engine state of the patients, written by rules and code of this fingerprint. */
    private static final String READ = """
            SELECT patient_id, positions, saved_at, state FROM alert_engine_state
             WHERE owner = ? AND patient_id = ANY (?) AND fingerprint = ?""";

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

    /**
     * Engine state saved for a patient: the bytes, when (epoch ms), and per ingest log stream the position up to which
     * her readings are in it.
     */
    public record Saved(byte[] state, long savedAt, Map<Long, Long> positions) {

        public Saved {
            Objects.requireNonNull(state, "state");
            positions = Map.copyOf(positions);
        }

        /** Whether the state holds the reading at this position of this ingest log stream. */
        public boolean holds(long stream, long position) {
            Long upTo = positions.get(stream);
            return upTo != null && position <= upTo;
        }
    }

    /**
     * Where saved engine state is used: the owner's state of this fingerprint only
     * ({@code ClinicalEngine.stateFingerprint()}), with the readings measured up to {@code lateHorizon} before it was
     * saved and stored after it.
     */
    public record SavedStates(String owner, long fingerprint, Duration lateHorizon) {

        public SavedStates {
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(lateHorizon, "lateHorizon");
        }
    }

    private final DataSource dataSource;
    private final String owner;

    /** @param owner whose state this store saves: {@link #CLUSTER} or {@link #node} */
    public EngineStateStore(DataSource dataSource, String owner) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.owner = Objects.requireNonNull(owner, "owner");
    }

    /** The owner of the state a node without Kafka saves for itself. */
    public static String node(String nodeId) {
        return "node:" + nodeId;
    }

    /** What a load uses: the state this store saves, written under {@code fingerprint}. */
    public SavedStates savedStates(long fingerprint, Duration lateHorizon) {
        return new SavedStates(owner, fingerprint, lateHorizon);
    }

    /** Saves the states, replacing each patient's previous one, in one transaction; returns the bytes written. */
    public long save(long fingerprint, Instant savedAt, Collection<State> states) throws SQLException {
        return Transactions.run(dataSource, c -> {
            long bytes = 0;
            try (PreparedStatement ps = c.prepareStatement(SAVE)) {
                Timestamp at = Timestamp.from(savedAt);
                for (State s : states) {
                    ps.setString(1, owner);
                    ps.setLong(2, s.patientId());
                    ps.setLong(3, fingerprint);
                    ps.setArray(4, c.createArrayOf("bigint", s.positions().toArray()));
                    ps.setTimestamp(5, at);
                    ps.setBytes(6, s.state());
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
     * so that the table holds about one row per active patient and owner. A state older than the engine's lookback is
     * worth no more than the history a rebuild would read instead. Every owner's: a node renamed or gone leaves its
     * states behind. Returns how many were deleted.
     */
    public int prune(Instant before) throws SQLException {
        return Transactions.run(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(PRUNE)) {
                ps.setTimestamp(1, Timestamp.from(before));
                return ps.executeUpdate();
            }
        });
    }

    /**
     * The saved state of these patients ({@code ids}, a {@code bigint[]}) that {@code which} names, on the caller's
     * connection: {@link PatientHistoryStore} reads it in the transaction that reads the rest of them.
     */
    static Map<Long, Saved> read(Connection c, Array ids, SavedStates which) throws SQLException {
        Map<Long, Saved> saved = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(READ)) {
            ps.setString(1, which.owner());
            ps.setArray(2, ids);
            ps.setLong(3, which.fingerprint());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<Long, Long> positions = new HashMap<>();
                    for (Long position : (Long[]) rs.getArray(2).getArray()) {
                        positions.merge(LogStreams.streamOf(position), position, Math::max);
                    }
                    saved.put(rs.getLong(1), new Saved(rs.getBytes(4), rs.getTimestamp(3).getTime(), positions));
                }
            }
        }
        return saved;
    }
}
