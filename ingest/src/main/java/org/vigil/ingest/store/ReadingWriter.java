package org.vigil.ingest.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.model.Reading;
import org.vigil.ingest.metrics.IngestMetrics;

/**
 * Makes readings durable in batches and says when each submitted message is committed.
 *
 * <p><b>Design.</b> {@code shards} writer threads, each with its own connection and bounded queue. A
 * device always maps to the same shard, so its readings are written (and acknowledged) in order. Each
 * writer uses group commit: it takes everything that queued up while the previous transaction ran, up to
 * {@code maxBatch} readings, and writes it in one transaction, so batches grow with load and latency stays
 * low when idle. At everyday rates, between idle and saturated, a writer also lingers up to {@code linger}
 * for more messages when its batch is small and its arrival rate says more are due ({@link Linger}). A batch is {@code COPY}ed (binary) straight into {@code reading}.
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
 *
 * <p><b>Parts.</b> This class routes messages to shards and closes them; a {@link WriterShard} is one thread
 * with its queue, batching and retries; {@link ReadingCopy} writes a batch (direct or staged COPY);
 * {@link LogStreamConnection} is a shard's connection with its log stream.
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

    /** One submitted message, waiting in its shard's queue. */
    record Pending(List<Reading> readings, Completion completion) {
    }

    final ConnectionFactory connections;
    final String node;
    final int maxBatch;
    final Duration linger;
    final IngestMetrics metrics;
    final StoredListener listener;
    private final WriterShard[] shards;
    private volatile boolean closing;
    private volatile long closeDeadlineNanos = Long.MAX_VALUE;

    /**
     * @param node this node's name ({@code VIGIL_NODE_ID}) in {@code reading_stream}, for operators reading that table
     */
    public ReadingWriter(ConnectionFactory connections, String node, int shards, int queueMessages, int maxBatch,
            IngestMetrics metrics, StoredListener listener) {
        this(connections, node, shards, queueMessages, maxBatch, Duration.ZERO, metrics, listener);
    }

    /**
     * @param node   this node's name ({@code VIGIL_NODE_ID}) in {@code reading_stream}, for operators reading that table
     * @param linger longest a writer waits for more messages before committing a small batch; zero commits at once
     */
    public ReadingWriter(ConnectionFactory connections, String node, int shards, int queueMessages, int maxBatch,
            Duration linger, IngestMetrics metrics, StoredListener listener) {
        this.linger = Objects.requireNonNull(linger, "linger");
        this.connections = Objects.requireNonNull(connections, "connections");
        this.node = Objects.requireNonNull(node, "node");
        this.maxBatch = maxBatch;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.shards = new WriterShard[shards];
        for (int i = 0; i < shards; i++) {
            this.shards[i] = new WriterShard(this, i, queueMessages);
        }
    }

    public void start() {
        for (WriterShard shard : shards) {
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
        WriterShard shard = shards[(int) Math.floorMod(deviceId, (long) shards.length)];
        return shard.queue.offer(new Pending(readings, completion));
    }

    /** Messages waiting in all queues. */
    public int queued() {
        int n = 0;
        for (WriterShard s : shards) {
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
        for (WriterShard shard : shards) {
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

    boolean closing() {
        return closing;
    }

    long closeDeadlineNanos() {
        return closeDeadlineNanos;
    }

    static void failAll(List<Pending> batch, Throwable cause) {
        for (Pending p : batch) {
            complete(p, cause);
        }
    }

    /** Tells one submitter; a submitter that cannot be told any more (its connection is gone) is skipped. */
    static void complete(Pending p, Throwable cause) {
        try {
            p.completion.done(cause);
        } catch (RuntimeException e) {
            LOG.debug("Could not report a write outcome: {}", e.toString());
        }
    }
}
