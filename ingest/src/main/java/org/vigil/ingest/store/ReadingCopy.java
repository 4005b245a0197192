package org.vigil.ingest.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.vigil.common.model.Reading;
import org.vigil.ingest.metrics.IngestMetrics;

/**
 * Writes one batch in one transaction: encodes it once ({@link BinaryCopy}) and {@code COPY}s it straight into
 * {@code reading}, or through the staging table when it holds repeats.
 *
 * <p>The table's unique index on device, metric and measurement time makes a message redelivered after a lost
 * PUBACK fail the direct COPY; the same encoded bytes then go to a temporary staging table and on with
 * {@code INSERT … ON CONFLICT DO NOTHING}, which stores the new readings and drops the repeats. Only when most
 * recent batches held repeats does a batch go straight to staging. One per shard thread: it reuses its
 * encoding buffer from batch to batch, so a batch costs no copy beyond its encoding.
 */
final class ReadingCopy {

    /** The usual path: straight into the table, which its unique index keeps free of repeats. */
    private static final String COPY_READINGS =
            "COPY reading (patient_id, metric, ts, device_id, value, log_pos, context) FROM STDIN (FORMAT binary)";
    /** Created once per connection ({@link LogStreamConnection}); emptied by every commit. */
    static final String CREATE_STAGE = """
            CREATE TEMP TABLE IF NOT EXISTS reading_stage (
                patient_id bigint, metric smallint, ts timestamptz, device_id bigint, value double precision,
                log_pos bigint, context smallint
            ) ON COMMIT DELETE ROWS""";
    private static final String COPY_STAGE =
            "COPY reading_stage (patient_id, metric, ts, device_id, value, log_pos, context) FROM STDIN (FORMAT binary)";
    private static final String MOVE_STAGE = """
            INSERT INTO reading (patient_id, metric, ts, device_id, value, log_pos, context)
            SELECT patient_id, metric, ts, device_id, value, log_pos, context FROM reading_stage
            ON CONFLICT DO NOTHING""";
    private static final String UNIQUE_VIOLATION = "23505";
    /**
     * Above this share of recent batches holding a repeat, batches go straight to staging. A direct COPY
     * that meets a repeat costs about half a COPY wasted plus the staging path (2.5 units against 1 for a
     * clean direct COPY and 2 for staging), so trying direct first is cheaper on average until two batches
     * in three hold a repeat: after a broker failover, say, when every device resends its window.
     */
    static final double STAGE_ABOVE_REPEAT_SHARE = 2.0 / 3;
    /** Weight of the newest batch in that share: it follows about the last ten batches. */
    private static final double REPEAT_SHARE_WEIGHT = 0.1;

    private final IngestMetrics metrics;
    private final BinaryCopy rows = new BinaryCopy();
    /** Exponentially weighted share of recent batches that held a repeat. */
    private double repeatShare;

    ReadingCopy(IngestMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Commits the batch on {@code stream}, numbering its readings from the stream's next position, and returns
     * them in commit order. On failure the transaction is rolled back and the stream's position is unchanged.
     */
    List<Reading> write(LogStreamConnection stream, List<ReadingWriter.Pending> batch, int readings)
            throws SQLException {
        Connection c = stream.connection();
        List<Reading> all = new ArrayList<>(readings);
        long position = stream.nextPosition();
        rows.reset();
        for (ReadingWriter.Pending p : batch) {
            for (Reading r : p.readings()) {
                all.add(r);
                rows.add(r, position++);
            }
        }
        rows.finish();
        try {
            boolean repeats = repeatShare > STAGE_ABOVE_REPEAT_SHARE ? stage(c, all.size()) : direct(c, all.size());
            repeatShare += REPEAT_SHARE_WEIGHT * ((repeats ? 1 : 0) - repeatShare);
        } catch (SQLException e) {
            rollbackQuietly(c);
            throw e;
        }
        stream.advanceTo(position);
        return all;
    }

    /** Copies the encoded batch straight into the table, or through staging if it meets a repeat; says which. */
    private boolean direct(Connection c, int readings) throws SQLException {
        try {
            copyIn(c, COPY_READINGS);
            c.commit();
            metrics.readingsStored(readings);
            return false;
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            c.rollback();
            return stage(c, readings);
        }
    }

    /**
     * Writes the encoded batch through the staging table, dropping and counting what is stored already;
     * says whether there was any.
     */
    private boolean stage(Connection c, int readings) throws SQLException {
        metrics.batchStaged();
        copyIn(c, COPY_STAGE);
        int inserted;
        try (Statement s = c.createStatement()) {
            inserted = s.executeUpdate(MOVE_STAGE);
        }
        c.commit();
        metrics.readingsStored(inserted);
        if (inserted < readings) {
            metrics.readingsDuplicate(readings - inserted);
            return true;
        }
        return false;
    }

    private void copyIn(Connection c, String sql) throws SQLException {
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            in.writeToCopy(rows.bytes(), 0, rows.length());
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is closed and replaced by the caller
        }
    }
}
