package org.vigil.alerting.evaluation;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How far evaluation has got in each ingest log stream: the position up to which every reading was evaluated
 * and every alert signal it produced was recorded (or given up on). That position is what may be stored as the
 * stream's evaluation cursor; anything above it is evaluated again from storage after a crash.
 *
 * <p>A batch is done in parts: its patients already loaded are evaluated at once (one part), each patient still
 * loading is evaluated when her load lands (one part each). A part's signals go to the end of the one ordered
 * signal queue, so the part is recorded once the queue has finished everything up to where they went: the
 * count of signals queued when the part ended is its mark. Batches of a stream may finish out of order (a
 * patient's load takes longer than the next batch); the cursor moves only over a stream's finished prefix.
 *
 * <p>In cluster mode a node also evaluates records of the readings topic: their batches are not part of any stream's
 * progress here ({@link #beginUntracked}; Kafka's committed offsets stand for it), but whoever handed one over is
 * told once it is recorded ({@link #whenRecorded}), so the record's offset can be committed then.
 *
 * <p>Pure and single-threaded: the alerting verticle calls it on its event loop.
 */
final class EvaluationProgress {

    /** One handed-over batch, until its evaluation is recorded. */
    static final class Batch {
        private final long lastPosition;
        private int openParts;
        private long mark;

        private Batch(long lastPosition, int parts) {
            this.lastPosition = lastPosition;
            this.openParts = parts;
        }
    }

    private record Waiter(Batch batch, Runnable then) {
    }

    private final Map<Long, ArrayDeque<Batch>> streams = new HashMap<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private final Map<Long, Long> moved = new HashMap<>();
    private long queued;
    private long finished;

    /** A batch of {@code stream} up to {@code lastPosition} arrived; it will end in {@code parts} parts. */
    Batch begin(long stream, long lastPosition, int parts) {
        if (parts < 1) {
            throw new IllegalArgumentException("a batch has at least one part");
        }
        Batch batch = new Batch(lastPosition, parts);
        streams.computeIfAbsent(stream, k -> new ArrayDeque<>()).add(batch);
        return batch;
    }

    /** A batch that is no stream's progress here, ending in {@code parts} parts; see {@link #whenRecorded}. */
    Batch beginUntracked(int parts) {
        if (parts < 1) {
            throw new IllegalArgumentException("a batch has at least one part");
        }
        return new Batch(-1, parts);
    }

    /** Runs {@code then} once every part of {@code batch} is evaluated and its signals recorded: now, or later. */
    void whenRecorded(Batch batch, Runnable then) {
        if (recorded(batch)) {
            then.run();
        } else {
            waiters.add(new Waiter(batch, then));
        }
    }

    private boolean recorded(Batch batch) {
        return batch.openParts == 0 && finished >= batch.mark;
    }

    private void wakeWaiters() {
        if (waiters.isEmpty()) {
            return;
        }
        List<Runnable> ready = new ArrayList<>();
        waiters.removeIf(w -> {
            if (recorded(w.batch)) {
                ready.add(w.then);
                return true;
            }
            return false;
        });
        ready.forEach(Runnable::run);
    }

    /** One part of {@code batch} is evaluated and its signals, if any, are queued. */
    void partEvaluated(Batch batch) {
        if (batch.openParts == 0) {
            throw new IllegalStateException("every part of this batch was already evaluated");
        }
        batch.openParts--;
        batch.mark = Math.max(batch.mark, queued);
        wakeWaiters();
    }

    /** Signals went to the end of the queue. */
    void signalsQueued(int count) {
        queued += count;
    }

    /** Signals left the head of the queue: recorded, or given up on. */
    void signalsFinished(int count) {
        finished += count;
        wakeWaiters();
    }

    /** Signals queued so far; a load that ends now is recorded once {@link #finishedUpTo} reaches it. */
    long queued() {
        return queued;
    }

    /** Whether every signal queued before {@code mark} has left the queue. */
    boolean finishedUpTo(long mark) {
        return finished >= mark;
    }

    /**
     * The streams whose recorded position moved since the last call, with that position; what is returned is
     * forgotten here, so each movement is reported once.
     */
    Map<Long, Long> takeMoved() {
        streams.forEach((stream, batches) -> {
            Batch head;
            long last = -1;
            while ((head = batches.peek()) != null && head.openParts == 0 && finished >= head.mark) {
                last = batches.poll().lastPosition;
            }
            if (last >= 0) {
                moved.merge(stream, last, Math::max);
            }
        });
        streams.values().removeIf(ArrayDeque::isEmpty);
        Map<Long, Long> result = Map.copyOf(moved);
        moved.clear();
        return result;
    }

    /** Batches handed over but not yet recorded, all streams. */
    int outstanding() {
        int n = waiters.size();
        for (ArrayDeque<Batch> batches : streams.values()) {
            n += batches.size();
        }
        return n;
    }
}
