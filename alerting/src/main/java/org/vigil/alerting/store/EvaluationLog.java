package org.vigil.alerting.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.vigil.common.bus.LogStreams;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;
import org.vigil.common.db.Transactions;

/**
 * Evaluation progress through the ingest log (migration V12): the cursor of each stream, and the tails of
 * streams whose writer is gone, which were committed but may never have been evaluated.
 *
 * <p>A stream's writer holds the advisory lock {@code (LogStreams.LOCK_CLASS, id)} for as long as its
 * connection lives and takes it before the stream's row is visible, so a listed stream whose lock can be had
 * is dead for good: nothing will be added to it, and its tail is exactly what it holds above its cursor. A
 * finished stream has its cursor at the stream's last possible position. Blocking: call from a worker.
 */
public final class EvaluationLog {

    private static final String RECORD = """
            INSERT INTO evaluation_cursor (stream, position, updated_at)
            SELECT s.id, ?, now() FROM ingest_reading_stream s WHERE s.id = ?
            ON CONFLICT (stream) DO UPDATE SET position = GREATEST(evaluation_cursor.position, EXCLUDED.position),
                                               updated_at = EXCLUDED.updated_at""";
    /** Streams not finished, and whether their writer is gone (its lock could be taken, here, for a moment). */
    private static final String UNFINISHED = """
            SELECT s.id, pg_try_advisory_lock(%d, s.id::int) FROM ingest_reading_stream s
             WHERE NOT EXISTS (SELECT 1 FROM evaluation_cursor c WHERE c.stream = s.id AND c.position >= (s.id << 32) | 4294967295)
             ORDER BY s.id""".formatted(LogStreams.LOCK_CLASS);
    /**
     * Patients with readings in the tail of a stream, measured since {@code ?} (older ones are outside what a
     * rebuild reads, so they cannot change what it decides), with the earliest measurement time among them.
     */
    private static final String TAIL_PATIENTS = """
            SELECT r.patient_id, min(r.ts) FROM ingest_reading r
             WHERE r.log_pos > COALESCE((SELECT c.position FROM evaluation_cursor c WHERE c.stream = ?), ? << 32)
               AND r.log_pos <= (? << 32) | 4294967295 AND r.ts >= ?
             GROUP BY r.patient_id""";

    /** One page of a stream's tail in log order, measured since {@code ?}, above a position. */
    private static final String TAIL_READINGS = """
            SELECT r.log_pos, r.device_id, r.patient_id, r.metric, r.ts, r.value FROM ingest_reading r
             WHERE r.log_pos > GREATEST(?, COALESCE((SELECT c.position FROM evaluation_cursor c WHERE c.stream = ?), ? << 32))
               AND r.log_pos <= (? << 32) | 4294967295 AND r.ts >= ?
             ORDER BY r.log_pos LIMIT ?""";

    /** A reading of the log with its position. */
    public record LoggedReading(long position, Reading reading) {
    }

    private final DataSource dataSource;

    public EvaluationLog(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Stores how far evaluation got in each stream; a cursor never moves back. */
    public void record(Map<Long, Long> cursors) throws SQLException {
        if (cursors.isEmpty()) {
            return;
        }
        Transactions.run(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(RECORD)) {
                for (Map.Entry<Long, Long> e : cursors.entrySet()) {
                    ps.setLong(1, e.getValue());
                    ps.setLong(2, e.getKey());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /** Streams that are not finished and whose writer is gone. */
    public List<Long> deadStreams() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<Long> dead = new ArrayList<>();
            try (Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery(UNFINISHED)) {
                    while (rs.next()) {
                        if (rs.getBoolean(2)) {
                            dead.add(rs.getLong(1));
                        }
                    }
                } finally {
                    // The locks were taken only to learn that nobody holds them; a pooled session must not keep them.
                    s.execute("SELECT pg_advisory_unlock_all()");
                }
            }
            return dead;
        }
    }

    /**
     * Patients with readings above the cursor of any of {@code streams}, measured since {@code since}, each with the
     * earliest measurement time (epoch ms) among those readings.
     */
    public Map<Long, Long> tailPatients(List<Long> streams, Instant since) throws SQLException {
        Map<Long, Long> patients = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(TAIL_PATIENTS)) {
            for (long stream : streams) {
                ps.setLong(1, stream);
                ps.setLong(2, stream);
                ps.setLong(3, stream);
                ps.setTimestamp(4, Timestamp.from(since));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        patients.merge(rs.getLong(1), rs.getTimestamp(2).getTime(), Math::min);
                    }
                }
            }
        }
        return patients;
    }

    /**
     * Up to {@code limit} readings of a stream's tail above {@code after} (and above its cursor), measured since
     * {@code since}, in log order: what a dead stream left to hand over, page by page.
     */
    public List<LoggedReading> tailReadings(long stream, long after, Instant since, int limit) throws SQLException {
        List<LoggedReading> page = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(TAIL_READINGS)) {
            ps.setLong(1, after);
            ps.setLong(2, stream);
            ps.setLong(3, stream);
            ps.setLong(4, stream);
            ps.setTimestamp(5, Timestamp.from(since));
            ps.setInt(6, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    page.add(new LoggedReading(rs.getLong(1), new Reading(rs.getLong(2), rs.getLong(3),
                            Metric.byCode(rs.getInt(4)), rs.getTimestamp(5).getTime(), rs.getDouble(6))));
                }
            }
        }
        return page;
    }

    /** Marks dead streams as evaluated to their end, so they are not looked at again. */
    public void finish(List<Long> streams) throws SQLException {
        Map<Long, Long> ends = new java.util.HashMap<>();
        for (long stream : streams) {
            ends.put(stream, LogStreams.streamEnd(stream));
        }
        record(ends);
    }
}
