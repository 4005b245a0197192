package org.vigil.alerting.clinical;

import java.util.Arrays;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/**
 * The lifecycle of one patient's alert for one rule, as a pure state machine over observations in measurement
 * time. One episode at a time: repeats update it, a rise in severity worsens it, it clears only after the
 * hysteresis of its {@link EpisodePolicy}, and an episode that keeps clearing and reopening within the flap
 * window is kept active silently instead of notifying again.
 *
 * <p>Ordering: observations normally arrive in measurement order. An older one (out of order) can still open,
 * update or worsen an episode (an alert raised from late data), and breaks an in-range run it falls into, but
 * never counts towards clearing: clearing rests only on the newest evidence.
 *
 * <p>{@code DORMANT} is an episode a doctor resolved while its condition still held: it stays quiet until the
 * condition clears (then closes) or becomes more severe (then a new episode opens).
 */
final class Episode {

    static final long NONE = Long.MIN_VALUE;

    enum State { CLOSED, OPEN, DORMANT }

    State state = State.CLOSED;
    Severity severity;
    Metric metric;
    /** Measurement time of the first firing observation of the current or last episode. */
    long openedAt = NONE;
    int occurrences;
    double worst;
    double last;
    long lastFiringAt = NONE;
    long lastSignalAt = NONE;
    long lastClearedAt = NONE;
    int flaps;
    boolean flapping;

    private long lastObservedAt = NONE;
    private boolean lastObservedFiring;
    private long inRangeSince = NONE;
    private int inRangeCount;
    /** While flapping: the ordinary hysteresis was met in the current in-range run, so a clear was held back. */
    private boolean clearHeldBack;
    private Severity closedSeverity;
    /** Measurement times of the most recent clears, a ring as long as the policy's flap count. */
    private final long[] clears;
    private int clearsNext;

    Episode(EpisodePolicy policy) {
        this.clears = new long[Math.max(policy.flapClears, 1)];
        Arrays.fill(clears, NONE);
    }

    /** The rule's condition holds at {@code t}; returns the signal to emit, or {@code null}. */
    Kind onFiring(long t, Severity s, Metric m, double value, boolean higherIsWorse, EpisodePolicy policy) {
        if (lastObservedAt == NONE || t >= lastObservedAt) {
            lastObservedAt = t;
            lastObservedFiring = true;
        }
        // A firing inside the current in-range run breaks it; if that run had already met the ordinary
        // hysteresis while flapping, a clear-and-reopen cycle was just suppressed.
        boolean heldBack = false;
        if (inRangeSince != NONE && t >= inRangeSince) {
            heldBack = clearHeldBack;
            inRangeSince = NONE;
            inRangeCount = 0;
            clearHeldBack = false;
        }
        switch (state) {
            case CLOSED -> {
                boolean worseThanBefore = closedSeverity != null && s.worseThan(closedSeverity);
                boolean flap = policy.flapClears > 0 && !worseThanBefore && recentClears(t, policy.flapMillis) >= policy.flapClears;
                open(t, s, m, value);
                flapping = flap;
                flaps = flap ? 1 : 0;
                return flap ? Kind.FLAP_SUPPRESSED : Kind.OPEN;
            }
            case DORMANT -> {
                if (!s.worseThan(severity)) {
                    return null;
                }
                open(t, s, m, value);
                return Kind.OPEN;
            }
            default -> {
                occurrences++;
                metric = m;
                if (t >= lastFiringAt) {
                    last = value;
                    lastFiringAt = t;
                }
                if (higherIsWorse ? value > worst : value < worst) {
                    worst = value;
                }
                if (s.worseThan(severity)) {
                    severity = s;
                    lastSignalAt = t;
                    return Kind.WORSEN;
                }
                if (flapping && heldBack) {
                    flaps++;
                    lastSignalAt = t;
                    return Kind.FLAP_SUPPRESSED;
                }
                // A new worst value waits for the next update too: on a stream a window mean is a new worst
                // every second. It travels with the signal, so the store still learns it.
                if (t - lastSignalAt >= policy.updateMillis) {
                    lastSignalAt = t;
                    return Kind.UPDATE;
                }
                return null;
            }
        }
    }

    /** The rule's condition does not hold at {@code t}; returns {@link Kind#CLEAR} or {@code null}. */
    Kind onInRange(long t, EpisodePolicy policy) {
        if (lastObservedAt != NONE && (t < lastObservedAt || t == lastObservedAt && lastObservedFiring)) {
            return null;
        }
        lastObservedAt = t;
        lastObservedFiring = false;
        if (state == State.CLOSED) {
            return null;
        }
        if (inRangeSince == NONE) {
            inRangeSince = t;
            inRangeCount = 1;
        } else {
            inRangeCount++;
        }
        if (inRangeCount < policy.clearReadings || t - inRangeSince < policy.clearMillis) {
            return null;
        }
        if (flapping && t - inRangeSince < policy.flapMillis) {
            clearHeldBack = true;
            return null;
        }
        boolean wasOpen = state == State.OPEN;
        close(t);
        return wasOpen ? Kind.CLEAR : null;
    }

    /**
     * A doctor resolved the alert: a condition that still holds goes dormant (no new episode until it clears or
     * worsens), otherwise the episode just closes.
     */
    void resolvedByDoctor() {
        if (state != State.OPEN) {
            return;
        }
        state = lastObservedFiring ? State.DORMANT : State.CLOSED;
        flapping = false;
        clearHeldBack = false;
        closedSeverity = severity;
    }

    /** Adopts an alert the store says is active (after a restart), without a signal. */
    void adoptActive(Severity storedSeverity, long storedLastMeasuredAt) {
        if (state != State.OPEN) {
            state = State.OPEN;
            severity = storedSeverity;
            openedAt = storedLastMeasuredAt;
            occurrences = Math.max(occurrences, 1);
            inRangeSince = NONE;
            inRangeCount = 0;
            lastSignalAt = storedLastMeasuredAt;
            flapping = false;
            return;
        }
        if (storedSeverity.worseThan(severity)) {
            severity = storedSeverity;
        }
    }

    /** Marks an open episode as one the doctor already resolved (after a restart). */
    void adoptResolved() {
        if (state == State.OPEN) {
            resolvedByDoctor();
        }
    }

    private void open(long t, Severity s, Metric m, double value) {
        state = State.OPEN;
        severity = s;
        metric = m;
        openedAt = t;
        occurrences = 1;
        worst = value;
        last = value;
        lastFiringAt = t;
        lastSignalAt = t;
        flapping = false;
        flaps = 0;
        clearHeldBack = false;
    }

    private void close(long t) {
        state = State.CLOSED;
        closedSeverity = severity;
        lastClearedAt = t;
        flapping = false;
        clearHeldBack = false;
        inRangeSince = NONE;
        inRangeCount = 0;
        clears[clearsNext] = t;
        clearsNext = (clearsNext + 1) % clears.length;
    }

    private int recentClears(long t, long window) {
        int count = 0;
        for (long c : clears) {
            if (c != NONE && c > t - window && c <= t) {
                count++;
            }
        }
        return count;
    }
}
