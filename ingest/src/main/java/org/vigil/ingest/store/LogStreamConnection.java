package org.vigil.ingest.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.bus.LogStreams;

/**
 * One writer shard's dedicated connection and the ingest log stream it writes (migration V12).
 *
 * <p>Opening it takes a new stream id, holds the session advisory lock on that id for as long as the
 * connection lives, registers the stream under this node's name and prepares the session's staging table.
 * The readings committed on it are numbered {@code id * 2^32 + 1, 2, 3 ...} in commit order; the lock, freed
 * only when the connection ends, is what tells alerting the stream's writer is alive. Used by one shard
 * thread only.
 */
final class LogStreamConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogStreamConnection.class);

    /** The first statement of a stream: its id, and the lock that says its writer is alive. */
    private static final String OPEN_STREAM =
            "SELECT id, pg_advisory_lock(" + LogStreams.LOCK_CLASS + ", id::int) FROM (SELECT nextval('reading_stream_id') AS id) s";
    private static final String REGISTER_STREAM = "INSERT INTO reading_stream (id, node) VALUES (?, ?)";

    private final Connection connection;
    private final long stream;
    /** The position the next committed reading takes. */
    private long nextPosition;

    private LogStreamConnection(Connection connection, long stream) {
        this.connection = connection;
        this.stream = stream;
        this.nextPosition = LogStreams.streamStart(stream) + 1;
    }

    /** Opens a connection from {@code connections} and starts a stream on it; {@code node} names this node. */
    static LogStreamConnection open(ReadingWriter.ConnectionFactory connections, String node) throws SQLException {
        Connection c = connections.open();
        long stream;
        try (Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute(ReadingCopy.CREATE_STAGE);
            stream = openStream(c, s, node);
            c.commit();
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        LOG.debug("Writing readings as log stream {}", stream);
        return new LogStreamConnection(c, stream);
    }

    /** Starts a stream on this connection: its lock is held until the connection closes. */
    private static long openStream(Connection c, Statement s, String node) throws SQLException {
        long id;
        try (ResultSet rs = s.executeQuery(OPEN_STREAM)) {
            rs.next();
            id = rs.getLong(1);
        }
        try (PreparedStatement ps = c.prepareStatement(REGISTER_STREAM)) {
            ps.setLong(1, id);
            ps.setString(2, node);
            ps.executeUpdate();
        }
        return id;
    }

    Connection connection() {
        return connection;
    }

    long stream() {
        return stream;
    }

    long nextPosition() {
        return nextPosition;
    }

    /** The last position committed on this stream ({@link #nextPosition()} minus one). */
    long lastPosition() {
        return nextPosition - 1;
    }

    /** After a commit: the positions up to {@code next} (exclusive) are taken. */
    void advanceTo(long next) {
        nextPosition = next;
    }

    /** Whether {@code readings} more would run past the stream's positions (after four billion readings). */
    boolean cannotTake(int readings) {
        return nextPosition + readings > LogStreams.streamEnd(stream);
    }

    /** Closes the connection, which frees the stream's lock: the stream is over. */
    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // already broken; nothing more to release
        }
    }
}
