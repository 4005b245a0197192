package org.vigil.alerting.evaluation;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.EvaluationLog;

/**
 * Makes evaluation progress durable and resumes what a crash left unevaluated.
 *
 * <p>Every {@link #CURSOR_FLUSH} it stores the cursors {@link EvaluationProgress} has moved. At start, and every
 * {@code sweep} after, it looks for ingest log streams whose writer is gone (a killed process, a dropped
 * connection, a node that died) with readings above their cursor, has {@link Tails} take care of those tails (a
 * single node rebuilds their patients from storage; in cluster mode they are handed to the readings topic), and
 * once that is recorded marks the streams finished. One sweep at a time; a sweep whose work failed leaves its
 * streams to the next. Lost cursors only mean more to redo after a crash, never less evaluated: rebuilding is
 * idempotent, and so is evaluating a record handed over twice.
 *
 * <p>Confined to the alerting verticle's event loop; JDBC runs on workers.
 */
final class EvaluationResume {

    private static final Logger LOG = LoggerFactory.getLogger(EvaluationResume.class);
    /** How often evaluation cursors are stored: what a crash can make the next start rebuild again. */
    static final Duration CURSOR_FLUSH = Duration.ofSeconds(1);

    /** What is done with the tails of dead streams, in units (patients to rebuild, streams to hand over). */
    interface Tails {
        /** The units of work the tails of {@code streams} measured since {@code since} hold. Blocking: a worker's. */
        Set<Long> find(List<Long> streams, Instant since) throws Exception;

        /** Starts the work; each unit's end must be reported to {@link #unitDone}. On the event loop. */
        void resume(List<Long> streams, Set<Long> units, Instant since);
    }

    /** The units of dead streams' tails, being worked on; the streams are finished once that is recorded. */
    private static final class Sweep {
        final List<Long> streams;
        final Set<Long> waiting;
        final int units;
        final Instant since;
        final long startedNanos = System.nanoTime();
        boolean failed;
        long mark = -1;

        Sweep(List<Long> streams, Set<Long> units, Instant since) {
            this.streams = streams;
            this.waiting = new HashSet<>(units);
            this.units = units.size();
            this.since = since;
        }
    }

    private final Vertx vertx;
    private final EvaluationLog log;
    private final EvaluationProgress progress;
    private final AlertingMetrics metrics;
    private final Duration sweepInterval;
    private final Supplier<Instant> lookbackStart;
    private final Tails tails;
    private Sweep sweep;
    private boolean sweepStarting;
    private boolean recording;
    private long cursorTimer = -1;
    private long sweepTimer = -1;

    /**
     * @param lookbackStart the oldest measurement time a rebuild reads now: older readings cannot change it
     * @param tails         what is done with dead streams' tails
     */
    EvaluationResume(Vertx vertx, EvaluationLog log, EvaluationProgress progress, AlertingMetrics metrics,
                     Duration sweepInterval, Supplier<Instant> lookbackStart, Tails tails) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.log = Objects.requireNonNull(log, "log");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.sweepInterval = Objects.requireNonNull(sweepInterval, "sweepInterval");
        this.lookbackStart = Objects.requireNonNull(lookbackStart, "lookbackStart");
        this.tails = Objects.requireNonNull(tails, "tails");
    }

    /** Sweeps once now, then stores cursors and sweeps periodically. */
    void start() {
        cursorTimer = vertx.setPeriodic(CURSOR_FLUSH.toMillis(), id -> record());
        sweepTimer = vertx.setPeriodic(sweepInterval.toMillis(), id -> sweep());
        sweep();
    }

    /** A unit of a sweep's work ended ({@code ok}: done, or nothing to do); the sweep may be complete. */
    void unitDone(long unit, boolean ok) {
        Sweep s = sweep;
        if (s == null || s.mark >= 0) {
            return;
        }
        if (s.waiting.remove(unit) && !ok) {
            s.failed = true;
        }
        if (s.waiting.isEmpty()) {
            // Its rebuilds' signals are queued now; the streams are finished once those are recorded.
            s.mark = progress.queued();
        }
    }

    /** Stops sweeping and stores the cursors of what was recorded, so the next start rebuilds only the rest. */
    Future<Void> stop() {
        vertx.cancelTimer(cursorTimer);
        vertx.cancelTimer(sweepTimer);
        Map<Long, Long> moved = progress.takeMoved();
        return vertx.executeBlocking(() -> {
            log.record(moved);
            return null;
        }, false).recover(e -> {
            LOG.warn("Evaluation progress not stored at stop: {}", e.toString());
            return Future.succeededFuture();
        }).mapEmpty();
    }

    private void sweep() {
        if (sweep != null || sweepStarting) {
            return;
        }
        sweepStarting = true;
        Instant since = lookbackStart.get();
        vertx.executeBlocking(() -> {
            List<Long> dead = log.deadStreams();
            return new Sweep(dead, dead.isEmpty() ? Set.of() : tails.find(dead, since), since);
        }, false).onComplete(ar -> {
            sweepStarting = false;
            if (ar.failed()) {
                LOG.warn("Cannot look for unevaluated readings of stopped writers, trying again in {}: {}", sweepInterval,
                        ar.cause().toString());
                return;
            }
            Sweep s = ar.result();
            if (s.streams.isEmpty()) {
                return;
            }
            sweep = s;
            LOG.info("Resuming evaluation of {} stopped ingest streams: {} units of work", s.streams.size(), s.units);
            tails.resume(s.streams, Set.copyOf(s.waiting), s.since);
            unitDone(Long.MIN_VALUE, true);
        });
    }

    /** Stores the cursors that moved, and finishes a sweep whose rebuilds are recorded. */
    private void record() {
        if (recording) {
            return;
        }
        Map<Long, Long> moved = progress.takeMoved();
        Sweep done = sweep != null && sweep.mark >= 0 && progress.finishedUpTo(sweep.mark) ? sweep : null;
        if (moved.isEmpty() && done == null) {
            return;
        }
        recording = true;
        vertx.executeBlocking(() -> {
            log.record(moved);
            if (done != null && !done.failed) {
                log.finish(done.streams);
            }
            return null;
        }, false).onComplete(ar -> {
            recording = false;
            if (ar.failed()) {
                LOG.warn("Evaluation progress not stored: {}", ar.cause().toString());
                return;
            }
            if (done != null && sweep == done) {
                sweep = null;
                finished(done);
            }
        });
    }

    private void finished(Sweep done) {
        if (done.failed) {
            LOG.warn("Evaluation of stopped ingest streams {} not complete; trying again in {}", done.streams,
                    sweepInterval);
            return;
        }
        metrics.streamsResumed(done.streams.size());
        LOG.info("Evaluation resumed [streams: {}, units: {}, took: {} ms]", done.streams.size(),
                done.units, (System.nanoTime() - done.startedNanos) / 1_000_000);
    }
}
