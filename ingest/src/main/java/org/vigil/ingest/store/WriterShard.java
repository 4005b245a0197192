package org.vigil.ingest.store;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.db.SqlErrors;
import org.vigil.common.model.Reading;

/**
 * One writer thread of a {@link ReadingWriter}, with its bounded queue and its own connection: group commit,
 * retry and isolation of bad data.
 *
 * <p>The thread takes everything that queued up while the previous transaction ran, up to {@code maxBatch}
 * readings, waits a little longer for more when the batch is small and more are due ({@link Linger}), and
 * writes it in one transaction ({@link ReadingCopy}) on its {@link LogStreamConnection}. A
 * connection-level error keeps the batch and retries it with backoff on a fresh connection (so a new stream);
 * any other error splits the batch into its messages so that one bad message fails alone. Everything but the
 * queue is confined to the thread.
 */
final class WriterShard implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(WriterShard.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /**
     * Readings per transaction at which lingering stops: past a few hundred, a commit's fixed cost is a small
     * share of the COPY's (docs/performance.md, adaptive linger).
     */
    static final int LINGER_TARGET = 500;

    private final ReadingWriter owner;
    final BlockingQueue<ReadingWriter.Pending> queue;
    final Thread thread;
    private final ReadingCopy copy;
    private final Linger linger;
    private LogStreamConnection stream;
    private long lastFailureLog;
    private int failuresInARow;

    WriterShard(ReadingWriter owner, int index, int capacity) {
        this.owner = owner;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.copy = new ReadingCopy(owner.metrics);
        this.linger = new Linger(owner.linger.toNanos(), LINGER_TARGET);
        this.thread = Thread.ofPlatform().name("vigil-writer-" + index).daemon(false).unstarted(this);
    }

    @Override
    public void run() {
        List<ReadingWriter.Pending> batch = new ArrayList<>();
        try {
            while (true) {
                ReadingWriter.Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (owner.closing()) {
                        break;
                    }
                    continue;
                }
                long start = System.nanoTime();
                batch.add(first);
                int readings = take(batch, first.readings().size());
                long wait = linger.waitNanos(readings);
                if (wait > 0) {
                    readings = lingerFor(batch, readings, start + wait);
                }
                linger.taken(readings, start);
                try {
                    write(batch, readings);
                } catch (RuntimeException e) {
                    // A bug, not a database condition: fail this batch but keep the writer alive.
                    LOG.error("Unexpected failure writing readings", e);
                    ReadingWriter.failAll(batch, e);
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            ReadingWriter.failAll(batch, new IllegalStateException("writer interrupted"));
            Thread.currentThread().interrupt();
        } finally {
            List<ReadingWriter.Pending> left = new ArrayList<>();
            queue.drainTo(left);
            ReadingWriter.failAll(left, new IllegalStateException("writer stopped"));
            closeStream();
        }
    }

    /** Adds what is queued now, up to the batch limit; returns the batch's readings. */
    private int take(List<ReadingWriter.Pending> batch, int readings) {
        ReadingWriter.Pending next;
        while (readings < owner.maxBatch && (next = queue.poll()) != null) {
            batch.add(next);
            readings += next.readings().size();
        }
        return readings;
    }

    /** Waits until {@code deadline} for more messages, while the batch is still small; returns its readings. */
    private int lingerFor(List<ReadingWriter.Pending> batch, int readings, long deadline)
            throws InterruptedException {
        long left;
        while (linger.wantsMore(readings) && readings < owner.maxBatch && (left = deadline - System.nanoTime()) > 0) {
            ReadingWriter.Pending next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
            readings = take(batch, readings + next.readings().size());
        }
        return readings;
    }

    private void write(List<ReadingWriter.Pending> batch, int readings) throws InterruptedException {
        long backoff = 50;
        while (true) {
            try {
                long start = System.nanoTime();
                List<Reading> all = copy.write(stream(readings), batch, readings);
                owner.metrics.batchWritten(all.size(), System.nanoTime() - start);
                // Hand over before acknowledging: whoever waits for the PUBACK can rely on the readings
                // having reached evaluation's queue.
                notifyStored(stream.stream(), stream.lastPosition(), all);
                for (ReadingWriter.Pending p : batch) {
                    ReadingWriter.complete(p, null);
                }
                if (failuresInARow > 0) {
                    LOG.info("Database reachable again after {} failed attempts; writing resumed", failuresInARow);
                    failuresInARow = 0;
                    lastFailureLog = 0;
                }
                return;
            } catch (SQLException e) {
                owner.metrics.batchFailed();
                failuresInARow++;
                if (!SqlErrors.isTransient(e)) {
                    // The transaction was rolled back; the connection, and so the stream, go on.
                    isolate(batch, e);
                    return;
                }
                closeStream();
                if (owner.closing() && System.nanoTime() > owner.closeDeadlineNanos()) {
                    ReadingWriter.failAll(batch, e);
                    return;
                }
                logFailure(e);
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
            }
        }
    }

    /** A data error: write each message alone so only the bad ones fail. */
    private void isolate(List<ReadingWriter.Pending> batch, SQLException cause) throws InterruptedException {
        if (batch.size() == 1) {
            LOG.warn("Readings could not be stored and are dropped [readings: {}]: {}",
                    batch.get(0).readings().size(), cause.getMessage());
            ReadingWriter.failAll(batch, cause);
            return;
        }
        for (ReadingWriter.Pending p : batch) {
            write(List.of(p), p.readings().size());
        }
    }

    /** The open stream, or a new one when there is none or the open one cannot number {@code readings} more. */
    private LogStreamConnection stream(int readings) throws SQLException {
        if (stream != null && stream.cannotTake(readings)) {
            // A stream's positions are used up (after four billion readings): go on in a new one.
            closeStream();
        }
        if (stream == null) {
            stream = LogStreamConnection.open(owner.connections, owner.node);
        }
        return stream;
    }

    private void notifyStored(long streamId, long lastPosition, List<Reading> readings) {
        try {
            owner.listener.stored(streamId, lastPosition, readings);
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

    private void closeStream() {
        if (stream != null) {
            stream.close();
            stream = null;
        }
    }
}
