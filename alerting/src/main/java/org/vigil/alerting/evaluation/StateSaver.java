package org.vigil.alerting.evaluation;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.clinical.ClinicalEngine;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.EngineStateStore;

/**
 * Saves the engine state of the patients loaded or evaluated since the last save, every interval, those of
 * partitions being taken away at once, and at a stop whatever is still held, so that whoever loads a patient next
 * reads her state and the readings stored since instead of replaying her whole lookback
 * ({@link ClinicalEngine#resume}): in cluster mode the node taking her partition over, without Kafka this node after
 * a restart. A wearer's 16 days are some 46,000 readings; her state is a few kilobytes.
 *
 * <p>States are taken on the alerting verticle's event loop, a chunk at a time (microseconds each, so evaluation
 * goes on between chunks), with the log positions they hold, and written on a worker. One round runs at a time;
 * patients of a round that failed are saved in the next.
 */
final class StateSaver {

    private static final Logger LOG = LoggerFactory.getLogger(StateSaver.class);
    /** Patients taken and written together. */
    static final int CHUNK = 500;
    /** How often states older than the engine's lookback are deleted (and once at start). */
    static final Duration PRUNE_EVERY = Duration.ofHours(24);

    private final Vertx vertx;
    private final ClinicalEngine engine;
    private final PatientLoader patients;
    private final EngineStateStore store;
    private final AlertingMetrics metrics;
    private final Clock clock;
    private final Duration interval;
    private long timer = -1;
    private long pruner = -1;
    /** The last periodic round: under way until it completes; at a stop it ends after its current chunk. */
    private Future<Void> round = Future.succeededFuture();
    private boolean stopping;

    StateSaver(Vertx vertx, ClinicalEngine engine, PatientLoader patients, EngineStateStore store,
               AlertingMetrics metrics, Clock clock, Duration interval) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.patients = Objects.requireNonNull(patients, "patients");
        this.store = Objects.requireNonNull(store, "store");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.interval = Objects.requireNonNull(interval, "interval");
    }

    void start() {
        timer = vertx.setPeriodic(interval.toMillis(), id -> saveChanged());
        pruner = vertx.setPeriodic(1, PRUNE_EVERY.toMillis(), id -> prune());
    }

    void stop() {
        vertx.cancelTimer(timer);
        vertx.cancelTimer(pruner);
    }

    /**
     * Deletes the states saved before the engine's lookback: patients not evaluated since then (discharged, or quiet)
     * are rebuilt from their history as well as from it, and the table keeps about one row per active patient and
     * owner. Every node may do it; it is idempotent.
     */
    Future<Integer> prune() {
        Instant before = clock.instant().minus(engine.historyNeeded());
        return vertx.executeBlocking(() -> store.prune(before), false)
                .onSuccess(n -> {
                    if (n > 0) {
                        LOG.info("Engine state of {} patients not evaluated since {} deleted", n, before);
                    }
                })
                .onFailure(e -> LOG.warn("Old engine state not deleted: {}", e.toString()));
    }

    /** Saves the patients loaded or evaluated since the last round, unless a round is still under way. */
    Future<Void> saveChanged() {
        if (!round.isComplete() || stopping) {
            return Future.succeededFuture();
        }
        List<Long> ids = new ArrayList<>(patients.takeChanged(id -> true));
        if (ids.isEmpty()) {
            return Future.succeededFuture();
        }
        round = saveFrom(ids, 0, () -> stopping, false);
        return round;
    }

    /**
     * At a stop: ends the rounds, lets a round under way finish its current chunk (the rest of it goes back to the
     * changed patients), then saves every changed patient the engine still holds, a chunk at a time, each taken
     * just before it is written: a node's wearers can be hundreds of megabytes of state, which are not to be held at
     * once. A chunk that cannot be written is passed over, and no chunk is started after {@code deadline}
     * ({@link System#nanoTime}): those patients resume from the state saved before, or read their history, at the next
     * start.
     */
    Future<Void> saveBeforeStop(long deadline) {
        stop();
        stopping = true;
        return round.otherwiseEmpty().compose(v -> {
            List<Long> ids = new ArrayList<>(patients.takeChanged(id -> true));
            return saveFrom(ids, 0, () -> System.nanoTime() - deadline > 0, true);
        });
    }

    /**
     * Saves now the changed patients {@code which} matches (partitions being taken away): their states are taken
     * before this returns, so the caller may forget them; the future ends when they are written, failed or not.
     */
    Future<Void> saveNow(LongPredicate which) {
        List<Long> ids = new ArrayList<>(patients.takeChanged(which));
        List<Future<Void>> writes = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += CHUNK) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
            writes.add(write(chunk, take(chunk)).otherwiseEmpty());
        }
        return Future.all(writes).mapEmpty();
    }

    /**
     * Saves {@code ids} from {@code from} on, a chunk at a time, until done or {@code giveUp} says so; a chunk that
     * cannot be written ends the round (its patients wait for the next), or with {@code pastFailures} is passed over.
     */
    private Future<Void> saveFrom(List<Long> ids, int from, BooleanSupplier giveUp, boolean pastFailures) {
        if (from >= ids.size()) {
            return Future.succeededFuture();
        }
        if (giveUp.getAsBoolean()) {
            patients.changedAgain(ids.subList(from, ids.size()));
            LOG.info("Engine state of {} patients left unsaved: stopping", ids.size() - from);
            return Future.succeededFuture();
        }
        int to = Math.min(ids.size(), from + CHUNK);
        List<Long> chunk = ids.subList(from, to);
        return write(chunk, take(chunk)).compose(v -> saveFrom(ids, to, giveUp, pastFailures), failure -> {
            if (pastFailures) {
                return saveFrom(ids, to, giveUp, true);
            }
            // This chunk and the rest wait for the next round.
            patients.changedAgain(ids.subList(from, ids.size()));
            return Future.succeededFuture();
        });
    }

    private List<EngineStateStore.State> take(List<Long> ids) {
        List<EngineStateStore.State> states = new ArrayList<>(ids.size());
        for (long id : ids) {
            byte[] state = engine.saveState(id);
            if (state != null) {
                states.add(new EngineStateStore.State(id, state, patients.heldPositions(id)));
            }
        }
        return states;
    }

    private Future<Void> write(Collection<Long> ids, List<EngineStateStore.State> states) {
        if (states.isEmpty()) {
            return Future.succeededFuture();
        }
        Instant now = clock.instant();
        long fingerprint = engine.stateFingerprint();
        return vertx.executeBlocking(() -> store.save(fingerprint, now, states), false)
                .onSuccess(bytes -> metrics.statesSaved(states.size(), bytes))
                .onFailure(e -> {
                    metrics.stateSaveFailed();
                    LOG.warn("Engine state of {} patients not saved: {}", ids.size(), e.toString());
                })
                .mapEmpty();
    }
}
