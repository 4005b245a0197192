package org.vigil.chronic.app;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.chronic.store.CareStore;
import org.vigil.chronic.store.SweepClaims;
import org.vigil.common.bus.Addresses;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;

/**
 * Keeps {@code control_status} current. Patients with new readings of a control metric (from
 * {@link Addresses#READINGS_COMMITTED}) are collected on the event loop and re-evaluated together on a worker after
 * {@code refreshDelay}, each at most once per {@code refreshInterval} (see {@code takeDue}); every {@code sweep} all
 * managed patients are re-evaluated in pages, so a status whose readings aged out of the window turns unknown without
 * a new reading, and a reading whose hand-off was lost (the bus is fire-and-forget) is counted at the next sweep. Only one batch of work runs at a time.
 *
 * <p>Nodes sharing a database sweep in turn: a sweep belongs to a period of {@code sweep} length, and only the node
 * that claims the period first sweeps it ({@link SweepClaims}); a single node claims every period. The patients with
 * new readings are refreshed by whichever node stored them.
 */
public final class StatusVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(StatusVerticle.class);
    private static final int PAGE = 500;
    /** A round's answer when another node claimed the period: no sweep here. */
    private static final long LEFT = -2;

    /** Pages of a sweep are re-evaluated by this many workers side by side: each patient waits on round trips. */
    private static final int SWEEP_WORKERS = 3;

    /**
     * What a round of work did: the sweep's next page starts after {@code next} (or none, -1), {@code patients} swept;
     * {@code page} is the sweep's page still to re-evaluate.
     */
    private record Round(long next, int patients, List<Long> page) {

        Round(long next, int patients) {
            this(next, patients, List.of());
        }
    }

    private final StatusKeeper keeper;
    private final CareStore store;
    private final SweepClaims claims;
    private final String node;
    private final StatusMetrics metrics;
    private final Clock clock;
    private final Duration sweep;
    private final Duration refreshDelay;
    private final long refreshInterval;
    /** Patients with new readings not yet re-evaluated, and the earliest measurement time among those readings. */
    private final Map<Long, Long> dirty = new LinkedHashMap<>();
    /** Patients re-evaluated for new readings within the last {@code refreshInterval}, and when. */
    private final Map<Long, Long> refreshedAt = new HashMap<>();
    private MessageConsumer<ReadingBatch> consumer;
    private boolean busy;
    private boolean sweepDue = true;
    /** The last patient id of the sweep under way, or -1 when no sweep is under way. */
    private long sweepAfter = -1;
    private long sweepTimer = -1;
    /** When the sweep under way began ({@link System#nanoTime}), and the patients it re-evaluated so far. */
    private long sweepBegan;
    private int swept;
    private long refreshTimer = -1;
    /** When the round {@code refreshTimer} starts is due ({@link System#nanoTime}). */
    private long refreshDue;

    /**
     * @param node             this node's name among those sharing the database ({@code VIGIL_NODE_ID})
     * @param refreshInterval  a patient is re-evaluated for new readings at most once in this interval
     */
    StatusVerticle(StatusKeeper keeper, CareStore store, SweepClaims claims, String node, StatusMetrics metrics,
                   Clock clock, Duration sweep, Duration refreshDelay, Duration refreshInterval) {
        this.keeper = Objects.requireNonNull(keeper, "keeper");
        this.store = Objects.requireNonNull(store, "store");
        this.claims = Objects.requireNonNull(claims, "claims");
        this.node = Objects.requireNonNull(node, "node");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sweep = Objects.requireNonNull(sweep, "sweep");
        this.refreshDelay = Objects.requireNonNull(refreshDelay, "refreshDelay");
        this.refreshInterval = refreshInterval.toMillis();
    }

    @Override
    public Future<?> start() {
        // Not READINGS_STORED: that is point to point, and a second consumer there would take batches from alerting.
        consumer = vertx.eventBus().consumer(Addresses.READINGS_COMMITTED, msg -> onBatch(msg.body()));
        sweepTimer = vertx.setPeriodic(sweep.toMillis(), id -> {
            sweepDue = true;
            work();
        });
        // The first sweep runs at start: statuses are current even after downtime.
        vertx.setTimer(1, id -> work());
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(sweepTimer);
        vertx.cancelTimer(refreshTimer);
        return consumer == null ? Future.succeededFuture() : consumer.unregister();
    }

    private void onBatch(ReadingBatch batch) {
        for (Reading r : batch.readings()) {
            Metric m = r.metric();
            if (m == Metric.SYSTOLIC_BP || m == Metric.GLUCOSE || m == Metric.SPO2 || m == Metric.BODY_WEIGHT) {
                dirty.merge(r.patientId(), r.measuredAt(), Math::min);
            }
        }
        refreshIn(refreshDelay.toMillis());
    }

    /** Runs a round after {@code delay} ms, or sooner if one is due sooner already. */
    private void refreshIn(long delay) {
        if (dirty.isEmpty()) {
            return;
        }
        long due = System.nanoTime() + Math.max(1, delay) * 1_000_000;
        if (refreshTimer >= 0 && refreshDue - due <= 0) {
            return;
        }
        vertx.cancelTimer(refreshTimer);
        refreshDue = due;
        refreshTimer = vertx.setTimer(Math.max(1, delay), id -> {
            refreshTimer = -1;
            work();
        });
    }

    /**
     * Takes the patients with new readings whose turn has come: those not re-evaluated for new readings within the
     * last {@code refreshInterval}. The others stay until theirs comes. A wearer's oximeter sends a reading a minute;
     * re-evaluating her each time would cost a province's database more than all else the module does, for a
     * status judged over days, and what her doctor opens is evaluated then anyway.
     */
    private Map<Long, Long> takeDue(long now) {
        refreshedAt.values().removeIf(at -> now - at >= refreshInterval);
        Map<Long, Long> due = new LinkedHashMap<>();
        long wait = Long.MAX_VALUE;
        for (Iterator<Map.Entry<Long, Long>> it = dirty.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Long> e = it.next();
            Long last = refreshedAt.get(e.getKey());
            if (last == null) {
                due.put(e.getKey(), e.getValue());
                refreshedAt.put(e.getKey(), now);
                it.remove();
            } else {
                wait = Math.min(wait, last + refreshInterval - now);
            }
        }
        if (wait != Long.MAX_VALUE) {
            refreshIn(wait);
        }
        metrics.waiting(dirty.size());
        return due;
    }

    /**
     * One round on a worker: the patients with new readings, then, while a sweep is under way, its next page. A
     * sweep goes page by page so no round holds a worker thread for long, and new readings are served between pages.
     */
    private void work() {
        if (busy) {
            return;
        }
        Map<Long, Long> patients = takeDue(clock.millis());
        if (patients.isEmpty() && !sweepDue && sweepAfter < 0) {
            return;
        }
        busy = true;
        if (sweepDue && sweepAfter < 0) {
            sweepDue = false;
            sweepAfter = 0;
        }
        long after = sweepAfter;
        if (after == 0) {
            sweepBegan = System.nanoTime();
            swept = 0;
        }
        vertx.executeBlocking(() -> {
            for (Map.Entry<Long, Long> p : patients.entrySet()) {
                Instant now = clock.instant();
                keeper.refresh(p.getKey(), now, keeper.recountDaysFor(Instant.ofEpochMilli(p.getValue()), now));
            }
            metrics.refreshed(patients.size());
            if (after < 0) {
                return new Round(-1, 0);
            }
            if (after == 0) {
                Instant now = clock.instant();
                long period = sweep.toMillis();
                if (!claims.claim(Instant.ofEpochMilli(now.toEpochMilli() / period * period), node, now)) {
                    return new Round(LEFT, 0);
                }
            }
            return new Round(-1, 0, store.managedPatients(clock.instant(), after, PAGE));
        }, false).compose(this::sweepPage).onComplete(done -> {
            busy = false;
            if (done.failed()) {
                // Not retried at once (a database that is down would be asked in a tight loop): the next readings or
                // the next periodic sweep start a full sweep, which covers the patients of this round.
                LOG.warn("Control status evaluation failed; a full sweep follows the next readings or the next period",
                        done.cause());
                sweepAfter = -1;
                sweepDue = true;
                return;
            }
            Round round = done.result();
            if (after == 0) {
                if (round.next() == LEFT) {
                    metrics.left();
                } else {
                    metrics.swept();
                }
            }
            if (after >= 0 && round.next() != LEFT) {
                swept += round.patients();
                if (round.next() < 0) {
                    LOG.info("Control status swept [patients: {}, took: {} ms]", swept,
                            (System.nanoTime() - sweepBegan) / 1_000_000);
                }
            }
            if (after >= 0) {
                sweepAfter = round.next() == LEFT ? -1 : round.next();
            }
            if (sweepAfter >= 0 || (!dirty.isEmpty() && refreshTimer < 0)) {
                work();
            }
        });
    }

    /**
     * Re-evaluates a sweep's page in {@link #SWEEP_WORKERS} chunks side by side, each chunk with a few statements for
     * all its patients ({@link StatusKeeper#refreshAll}): patient by patient, about nine statements each, a county's
     * 100,000 patients took minutes of statement overhead (docs/chronic-care.md).
     */
    private Future<Round> sweepPage(Round round) {
        List<Long> page = round.page();
        if (page.isEmpty()) {
            return Future.succeededFuture(round);
        }
        int chunk = (page.size() + SWEEP_WORKERS - 1) / SWEEP_WORKERS;
        List<Future<Void>> parts = new ArrayList<>();
        for (int from = 0; from < page.size(); from += chunk) {
            List<Long> part = page.subList(from, Math.min(page.size(), from + chunk));
            parts.add(vertx.executeBlocking(() -> {
                keeper.refreshAll(part, clock.instant(), StatusKeeper.RECENT_DAYS);
                return null;
            }, false));
        }
        return Future.all(parts).map(v -> new Round(page.size() == PAGE ? page.get(page.size() - 1) : -1L,
                page.size()));
    }
}
