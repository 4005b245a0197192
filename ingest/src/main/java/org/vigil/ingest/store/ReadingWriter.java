package org.vigil.ingest.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.bus.LogStreams;
import org.vigil.common.db.SqlErrors;
import org.vigil.common.model.Reading;
import org.vigil.ingest.metrics.IngestMetrics;

/**
 * Makes readings durable in batches and says when each submitted message is committed.
 *
 * <p><b>Design.</b> {@code shards} writer threads, each with its own connection and bounded queue. A
 * device always maps to the same shard, so its readings are written (and acknowledged) in order. Each
 * writer uses group commit: it takes everything that queued up while the previous transaction ran, up to
 * {@code maxBatch} readings, and writes it in one transaction, so batches grow with load and latency stays
 * low when idle, with no timer to tune. A batch is {@code COPY}ed (binary) straight into {@code reading}.
 * Its unique index on device, metric and measurement time makes a message redelivered after a lost PUBACK
 * fail that COPY; the batch is then written again through a temporary staging table and
 * {@code INSERT … ON CONFLICT DO NOTHING}, which stores the new readings and drops the repeats. Only when
 * most recent batches held repeats (a broker failover, every device resending its window) do batches go
 * straight to staging, since a direct COPY would then nearly always fail and be redone. Otherwise every batch
 * costs the server one COPY and nothing more; staging costs about twice as much.
 *
 * <p><b>Log positions.</b> Every connection a shard opens starts an ingest log <em>stream</em> (migration V12):
 * it takes a new stream id, holds the session advisory lock on it for as long as the connection lives, and
 * numbers the readings it commits {@code id * 2^32 + 1, 2, 3 ...}, in commit order. Each committed batch is
 * handed to the listener with its stream and last position, so evaluation can record how far it got; a
 * stream whose lock is free has lost its writer for good, which tells alerting that whatever is above its
 * evaluation cursor will never be handed over and must be evaluated from storage.
 *
 * <p><b>Failures.</b> Connection-level errors (database down, restarting, out of connections) keep the
 * batch and retry it with backoff: the messages stay unacknowledged, the bounded queue fills, and
 * {@link #submit} refuses further work instead of growing. Any other error is a problem with the data;
 * the batch is then split into its messages so that one bad message fails alone and the rest are stored.
 *
 * <p>Completions run on the writer thread; callers hop back to their own thread.
 */
public final class ReadingWriter implements AutoCloseable {

    /** Told once per submitted message: {@code null} when it is committed, else why it never will be. */
    @FunctionalInterface
    public interface Completion {
        void done(Throwable failure);
    }

    /** Opens a connection dedicated to one writer. */
    @FunctionalInterface
    public interface ConnectionFactory {
        Connection open() throws SQLException;
    }

    /**
     * Told, on the writer thread, of readings just committed, in commit order per stream. Must not block for
     * long.
     */
    @FunctionalInterface
    public interface StoredListener {
        void stored(long stream, long lastPosition, List<Reading> readings);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ReadingWriter.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    /** The usual path: straight into the table, which its unique index keeps free of repeats. */
    private static final String COPY_READINGS =
            "COPY reading (patient_id, metric, ts, device_id, value, log_pos, context) FROM STDIN (FORMAT binary)";
    private static final String CREATE_STAGE = """
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
    /** The first statement of a stream: its id, and the lock that says its writer is alive. */
    private static final String OPEN_STREAM =
            "SELECT id, pg_advisory_lock(" + LogStreams.LOCK_CLASS + ", id::int) FROM (SELECT nextval('reading_stream_id') AS id) s";
    private static final String REGISTER_STREAM = "INSERT INTO reading_stream (id, node) VALUES (?, ?)";
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

    private record Pending(List<Reading> readings, Completion completion) {
    }

    private final ConnectionFactory connections;
    private final String node;
    private final int maxBatch;
    private final IngestMetrics metrics;
    private final StoredListener listener;
    private final Shard[] shards;
    private volatile boolean closing;
    private volatile long closeDeadlineNanos = Long.MAX_VALUE;

    /**
     * @param node this node's name ({@code VIGIL_NODE_ID}) in {@code reading_stream}, for operators reading that table
     */
    public ReadingWriter(ConnectionFactory connections, String node, int shards, int queueMessages, int maxBatch,
            IngestMetrics metrics, StoredListener listener) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.node = Objects.requireNonNull(node, "node");
        this.maxBatch = maxBatch;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.shards = new Shard[shards];
        for (int i = 0; i < shards; i++) {
            this.shards[i] = new Shard(i, queueMessages);
        }
    }

    public void start() {
        for (Shard shard : shards) {
            shard.thread.start();
        }
    }

    /**
     * Queues one message's readings for writing. Returns {@code false}, without queuing, when the device's
     * writer is full or the writer is closing: the caller must then not acknowledge the message.
     */
    public boolean submit(long deviceId, List<Reading> readings, Completion completion) {
        if (closing) {
            return false;
        }
        Shard shard = shards[(int) Math.floorMod(deviceId, (long) shards.length)];
        return shard.queue.offer(new Pending(readings, completion));
    }

    /** Messages waiting in all queues. */
    public int queued() {
        int n = 0;
        for (Shard s : shards) {
            n += s.queue.size();
        }
        return n;
    }

    /**
     * Stops taking work and writes what is queued, giving up (and failing the remaining messages) once
     * {@code grace} has passed without the database taking them.
     */
    public void close(Duration grace) {
        closeDeadlineNanos = System.nanoTime() + grace.toNanos();
        closing = true;
        for (Shard shard : shards) {
            try {
                shard.thread.join(grace.toMillis() + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    private final class Shard implements Runnable {
        private final BlockingQueue<Pending> queue;
        private final Thread thread;
        private final BinaryCopy rows = new BinaryCopy();
        private Connection connection;
        /** The stream of the open connection, and the position its next reading takes. */
        private long stream;
        private long nextPosition;
        private long lastFailureLog;
        private int failuresInARow;
        /** Exponentially weighted share of recent batches that held a repeat. */
        private double repeatShare;

        Shard(int index, int capacity) {
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.thread = Thread.ofPlatform().name("vigil-writer-" + index).daemon(false).unstarted(this);
        }

        @Override
        public void run() {
            List<Pending> batch = new ArrayList<>();
            try {
                while (true) {
                    Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        if (closing) {
                            break;
                        }
                        continue;
                    }
                    batch.add(first);
                    int readings = first.readings.size();
                    Pending next;
                    while (readings < maxBatch && (next = queue.poll()) != null) {
                        batch.add(next);
                        readings += next.readings.size();
                    }
                    try {
                        write(batch, readings);
                    } catch (RuntimeException e) {
                        // A bug, not a database condition: fail this batch but keep the writer alive.
                        LOG.error("Unexpected failure writing readings", e);
                        failAll(batch, e);
                    }
                    batch.clear();
                }
            } catch (InterruptedException e) {
                failAll(batch, new IllegalStateException("writer interrupted"));
                Thread.currentThread().interrupt();
            } finally {
                List<Pending> left = new ArrayList<>();
                queue.drainTo(left);
                failAll(left, new IllegalStateException("writer stopped"));
                closeConnection();
            }
        }

        private void write(List<Pending> batch, int readings) throws InterruptedException {
            long backoff = 50;
            while (true) {
                try {
                    long start = System.nanoTime();
                    List<Reading> all = copy(batch, readings);
                    metrics.batchWritten(all.size(), System.nanoTime() - start);
                    // Hand over before acknowledging: whoever waits for the PUBACK can rely on the readings
                    // having reached evaluation's queue.
                    notifyStored(stream, nextPosition - 1, all);
                    for (Pending p : batch) {
                        complete(p, null);
                    }
                    if (failuresInARow > 0) {
                        LOG.info("Database reachable again after {} failed attempts; writing resumed", failuresInARow);
                        failuresInARow = 0;
                        lastFailureLog = 0;
                    }
                    return;
                } catch (SQLException e) {
                    metrics.batchFailed();
                    failuresInARow++;
                    if (!SqlErrors.isTransient(e)) {
                        // The transaction was rolled back; the connection, and so the stream, go on.
                        isolate(batch, e);
                        return;
                    }
                    closeConnection();
                    if (closing && System.nanoTime() > closeDeadlineNanos) {
                        failAll(batch, e);
                        return;
                    }
                    logFailure(e);
                    Thread.sleep(backoff);
                    backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
                }
            }
        }

        /** A data error: write each message alone so only the bad ones fail. */
        private void isolate(List<Pending> batch, SQLException cause) throws InterruptedException {
            if (batch.size() == 1) {
                LOG.warn("Readings could not be stored and are dropped [readings: {}]: {}",
                        batch.get(0).readings.size(), cause.getMessage());
                failAll(batch, cause);
                return;
            }
            for (Pending p : batch) {
                write(List.of(p), p.readings.size());
            }
        }

        private List<Reading> copy(List<Pending> batch, int readings) throws SQLException {
            if (connection != null && nextPosition + readings > LogStreams.streamEnd(stream)) {
                // A stream's positions are used up (after four billion readings): go on in a new one.
                closeConnection();
            }
            Connection c = connection();
            List<Reading> all = new ArrayList<>(readings);
            long position = nextPosition;
            rows.reset();
            for (Pending p : batch) {
                for (Reading r : p.readings) {
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
            nextPosition = position;
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

        private Connection connection() throws SQLException {
            if (connection == null) {
                Connection c = connections.open();
                try (Statement s = c.createStatement()) {
                    c.setAutoCommit(false);
                    s.execute(CREATE_STAGE);
                    stream = openStream(c, s);
                    c.commit();
                } catch (SQLException e) {
                    c.close();
                    throw e;
                }
                connection = c;
                nextPosition = LogStreams.streamStart(stream) + 1;
                LOG.debug("Writing readings as log stream {}", stream);
            }
            return connection;
        }

        /** Starts a stream on this connection: its lock is held until the connection closes. */
        private long openStream(Connection c, Statement s) throws SQLException {
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

        private void notifyStored(long stream, long lastPosition, List<Reading> readings) {
            try {
                listener.stored(stream, lastPosition, readings);
            } catch (RuntimeException e) {
                LOG.warn("Listener failed on stored readings", e);
            }
        }

        private void logFailure(SQLException e) {
            long now = System.nanoTime();
            if (now - lastFailureLog > TimeUnit.SECONDS.toNanos(30) || lastFailureLog == 0) {
                lastFailureLog = now;
                LOG.warn("Database unavailable; holding {} queued messages unacknowledged and retrying: {}",
                        queue.size(), e.getMessage());
            }
        }

        private void closeConnection() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // already broken; nothing more to release
                }
                connection = null;
            }
        }
    }

    private static void failAll(List<Pending> batch, Throwable cause) {
        for (Pending p : batch) {
            complete(p, cause);
        }
    }

    /** Tells one submitter; a submitter that cannot be told any more (its connection is gone) is skipped. */
    private static void complete(Pending p, Throwable cause) {
        try {
            p.completion.done(cause);
        } catch (RuntimeException e) {
            LOG.debug("Could not report a write outcome: {}", e.toString());
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
