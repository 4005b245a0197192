package org.vigil.alerting.evaluation;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.function.LongPredicate;

/**
 * Patients to load without a batch of theirs waiting (care plans that expect measurements, rebuilds after a
 * crash), started a few at a time: tens of thousands of history loads queued at once would hold the shared
 * worker pool, and every API request behind them, for minutes. A patient already known or loading by the time
 * her turn comes is skipped. Pure and single-threaded: the alerting verticle calls it on its event loop.
 */
final class PacedLoads {

    private final int maxInFlight;
    private final LongPredicate needsLoad;
    private final LongConsumer startLoad;
    private final ArrayDeque<Long> waiting = new ArrayDeque<>();
    private final Set<Long> inFlight = new HashSet<>();

    /**
     * @param needsLoad whether a patient still needs loading when her turn comes
     * @param startLoad starts a patient's load; its end must be reported to {@link #done}
     */
    PacedLoads(int maxInFlight, LongPredicate needsLoad, LongConsumer startLoad) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1");
        }
        this.maxInFlight = maxInFlight;
        this.needsLoad = Objects.requireNonNull(needsLoad, "needsLoad");
        this.startLoad = Objects.requireNonNull(startLoad, "startLoad");
    }

    void addAll(Collection<Long> patientIds) {
        waiting.addAll(patientIds);
        pump();
    }

    void add(long patientId) {
        waiting.add(patientId);
        pump();
    }

    /** A load ended; one started here frees its place for the next. */
    void done(long patientId) {
        if (inFlight.remove(patientId)) {
            pump();
        }
    }

    private void pump() {
        while (inFlight.size() < maxInFlight && !waiting.isEmpty()) {
            long id = waiting.poll();
            if (!needsLoad.test(id)) {
                continue;
            }
            inFlight.add(id);
            startLoad.accept(id);
        }
    }
}
