package org.vigil.alerting.clinical;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/**
 * The lifecycle of one patient's alert for one rule, as a pure state machine over observations in measurement
 * time. One episode at a time: repeats update it, a rise in severity worsens it, it clears only after the
 * hysteresis of its {@link EpisodePolicy}, and an episode that keeps clearing and reopening within the flap
 * window is kept active silently instead of notifying again.
 *
 * <p>Clearing needs a doctor for some severities ({@link EpisodePolicy#clearsItself}): an episode that reached
 * one of those is only <em>marked</em> back in range when the hysteresis is met ({@link Kind#BACK_IN_RANGE}) and
 * stays open, so it stays on the doctor's list and keeps escalating until she resolves it. A firing that breaks
 * the in-range run behind the mark lifts it at once: a new event of a severity that needs a doctor notifies
 * again ({@link Kind#RECUR}, or {@link Kind#WORSEN} if worse), a lesser one is recorded ({@link Kind#UPDATE}).
 * Marks count as clears for flap detection, so an episode that keeps coming back is recorded silently
 * ({@link Kind#FLAP_SUPPRESSED}) instead of notifying each time, until a doctor resolves it.
 *
 * <p>Headline: the episode remembers the observation its alert leads with, the first at its highest severity,
 * replaced only by a more extreme figure of the same metric; the engine describes it when it changes
 * ({@link #headlineChanged}). The latest figure is {@link #last}.
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
    /** The headline's figure; {@code NaN} while unknown (an alert adopted from the store that has not fired since). */
    double worst = Double.NaN;
    /** The headline's measurement time, metric and direction, and the sentence the engine wrote for it. */
    long worstAt = NONE;
    Metric worstMetric;
    boolean worstHigherIsWorse = true;
    String headlineDetail;
    /** Set by {@link #onFiring} when that observation became the headline: the engine describes it. */
    boolean headlineChanged;
    double last;
    long lastFiringAt = NONE;
    long lastSignalAt = NONE;
    long lastClearedAt = NONE;
    /** When an open episode that may not clear itself was marked back in range; {@link #NONE} while it is not. */
    long backInRangeAt = NONE;
    int flaps;
    boolean flapping;

    private long lastObservedAt = NONE;
    private boolean lastObservedFiring;
    private long inRangeSince = NONE;
    private int inRangeCount;
    /** While flapping: the ordinary hysteresis was met in the current in-range run, so a clear was held back. */
    private boolean clearHeldBack;
    private Severity closedSeverity;
    private final RecentClears clears;

    Episode(EpisodePolicy policy) {
        this.clears = new RecentClears(policy.flapClears);
    }

    /** The rule's condition holds at {@code t}; returns the signal to emit, or {@code null}. */
    Kind onFiring(long t, Severity s, Metric m, double value, boolean higherIsWorse, EpisodePolicy policy) {
        headlineChanged = false;
        if (lastObservedAt == NONE || t >= lastObservedAt) {
            lastObservedAt = t;
            lastObservedFiring = true;
        }
        // A firing inside the current in-range run breaks it; if that run had already met the ordinary
        // hysteresis while flapping, a clear-and-reopen cycle was just suppressed.
        boolean heldBack = false;
        boolean runBroken = false;
        if (inRangeSince != NONE && t >= inRangeSince) {
            heldBack = clearHeldBack;
            runBroken = true;
            inRangeSince = NONE;
            inRangeCount = 0;
            clearHeldBack = false;
        }
        switch (state) {
            case CLOSED -> {
                boolean worseThanBefore = closedSeverity != null && s.worseThan(closedSeverity);
                boolean flap = policy.flapClears > 0 && !worseThanBefore && clears.within(t, policy.flapMillis) >= policy.flapClears;
                open(t, s, m, value, higherIsWorse);
                flapping = flap;
                flaps = flap ? 1 : 0;
                return flap ? Kind.FLAP_SUPPRESSED : Kind.OPEN;
            }
            case DORMANT -> {
                if (!s.worseThan(severity)) {
                    return null;
                }
                open(t, s, m, value, higherIsWorse);
                return Kind.OPEN;
            }
            default -> {
                occurrences++;
                metric = m;
                if (t >= lastFiringAt) {
                    last = value;
                    lastFiringAt = t;
                }
                boolean worse = s.worseThan(severity);
                if (worse) {
                    severity = s;
                }
                if (worse || newHeadline(m, value, higherIsWorse)) {
                    headline(t, m, value, higherIsWorse);
                }
                // The run behind a back-in-range mark is broken: the condition is back, and the store must
                // know at once (the mark goes), though nobody is notified: the alert never left the list.
                boolean recurred = backInRangeAt != NONE && runBroken;
                if (recurred) {
                    backInRangeAt = NONE;
                }
                if (worse) {
                    lastSignalAt = t;
                    return Kind.WORSEN;
                }
                if (recurred) {
                    lastSignalAt = t;
                    if (policy.clearsItself(s)) {
                        // A lesser event inside an alert that already leads with one waiting for a doctor.
                        return Kind.UPDATE;
                    }
                    // Marks count as clears: coming back again and again within the flap window is flapping.
                    if (policy.flapClears > 0 && clears.within(t, policy.flapMillis) >= policy.flapClears) {
                        flaps++;
                        return Kind.FLAP_SUPPRESSED;
                    }
                    return Kind.RECUR;
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

    /**
     * The rule's condition does not hold at {@code t}; returns {@link Kind#CLEAR}, {@link Kind#BACK_IN_RANGE}
     * or {@code null}.
     */
    Kind onInRange(long t, EpisodePolicy policy) {
        if (lastObservedAt != NONE && (t < lastObservedAt || t == lastObservedAt && lastObservedFiring)) {
            return null;
        }
        lastObservedAt = t;
        lastObservedFiring = false;
        if (state == State.CLOSED || backInRangeAt != NONE) {
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
        if (state == State.OPEN && !policy.clearsItself(severity)) {
            // Not cleared, so nothing can reopen: no flap hold-back either. The run is kept: a firing inside
            // it or after it lifts the mark.
            backInRangeAt = t;
            clears.record(t);
            return Kind.BACK_IN_RANGE;
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
    void resolvedByDoctor(EpisodePolicy policy) {
        if (state != State.OPEN) {
            return;
        }
        state = lastObservedFiring ? State.DORMANT : State.CLOSED;
        flapping = false;
        clearHeldBack = false;
        backInRangeAt = NONE;
        closedSeverity = severity;
        if (!policy.clearsItself(severity)) {
            // A doctor reviewed the event: the next one is news, however often this one came and went.
            clears.forget();
        }
    }

    /**
     * Adopts an alert the store says is active (after a restart), without a signal. An episode the replay did
     * not have open starts with an unknown headline: the store keeps its own until a worse one comes.
     */
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
            backInRangeAt = NONE;
            worst = Double.NaN;
            worstAt = NONE;
            worstMetric = null;
            headlineDetail = null;
            return;
        }
        if (storedSeverity.worseThan(severity)) {
            severity = storedSeverity;
        }
    }

    /**
     * Adopts an active alert whose condition the replay saw clear at {@code backAt}, after the store's last
     * signal, while its severity may not clear itself: it stays open, marked back in range from then.
     */
    void adoptBackInRange(Severity storedSeverity, long storedLastMeasuredAt, long backAt) {
        adoptActive(storedSeverity, storedLastMeasuredAt);
        backInRangeAt = backAt;
        inRangeSince = backAt;
    }

    /** Marks an open episode as one the doctor already resolved (after a restart). */
    void adoptResolved(EpisodePolicy policy) {
        if (state == State.OPEN) {
            resolvedByDoctor(policy);
        }
    }

    /** The headline as a signal carries it, or {@code null} while unknown. */
    AlertSignal.Headline headline() {
        return worstMetric == null || headlineDetail == null ? null
                : new AlertSignal.Headline(worstMetric, worst, worstAt, headlineDetail, worstHigherIsWorse);
    }

    private boolean newHeadline(Metric m, double value, boolean higherIsWorse) {
        if (worstMetric == null) {
            return true;
        }
        return m == worstMetric && higherIsWorse == worstHigherIsWorse && (higherIsWorse ? value > worst : value < worst);
    }

    private void headline(long t, Metric m, double value, boolean higherIsWorse) {
        worst = value;
        worstAt = t;
        worstMetric = m;
        worstHigherIsWorse = higherIsWorse;
        headlineChanged = true;
    }

    private void open(long t, Severity s, Metric m, double value, boolean higherIsWorse) {
        state = State.OPEN;
        severity = s;
        metric = m;
        openedAt = t;
        occurrences = 1;
        headline(t, m, value, higherIsWorse);
        last = value;
        lastFiringAt = t;
        lastSignalAt = t;
        backInRangeAt = NONE;
        flapping = false;
        flaps = 0;
        clearHeldBack = false;
    }

    /** Writes the whole state machine; {@link #restore} reads it into an episode of the same policy. */
    void save(DataOutput out) throws IOException {
        out.writeByte(state.ordinal());
        EngineState.writeSeverity(out, severity);
        EngineState.writeMetric(out, metric);
        out.writeLong(openedAt);
        out.writeInt(occurrences);
        out.writeDouble(worst);
        out.writeLong(worstAt);
        EngineState.writeMetric(out, worstMetric);
        out.writeBoolean(worstHigherIsWorse);
        EngineState.writeText(out, headlineDetail);
        out.writeDouble(last);
        out.writeLong(lastFiringAt);
        out.writeLong(lastSignalAt);
        out.writeLong(lastClearedAt);
        out.writeLong(backInRangeAt);
        out.writeInt(flaps);
        out.writeBoolean(flapping);
        out.writeLong(lastObservedAt);
        out.writeBoolean(lastObservedFiring);
        out.writeLong(inRangeSince);
        out.writeInt(inRangeCount);
        out.writeBoolean(clearHeldBack);
        EngineState.writeSeverity(out, closedSeverity);
        clears.save(out);
    }

    void restore(DataInput in) throws IOException {
        state = State.values()[in.readByte()];
        severity = EngineState.readSeverity(in);
        metric = EngineState.readMetric(in);
        openedAt = in.readLong();
        occurrences = in.readInt();
        worst = in.readDouble();
        worstAt = in.readLong();
        worstMetric = EngineState.readMetric(in);
        worstHigherIsWorse = in.readBoolean();
        headlineDetail = EngineState.readText(in);
        headlineChanged = false;
        last = in.readDouble();
        lastFiringAt = in.readLong();
        lastSignalAt = in.readLong();
        lastClearedAt = in.readLong();
        backInRangeAt = in.readLong();
        flaps = in.readInt();
        flapping = in.readBoolean();
        lastObservedAt = in.readLong();
        lastObservedFiring = in.readBoolean();
        inRangeSince = in.readLong();
        inRangeCount = in.readInt();
        clearHeldBack = in.readBoolean();
        closedSeverity = EngineState.readSeverity(in);
        clears.restore(in);
    }

    private void close(long t) {
        state = State.CLOSED;
        closedSeverity = severity;
        lastClearedAt = t;
        flapping = false;
        clearHeldBack = false;
        inRangeSince = NONE;
        inRangeCount = 0;
        clears.record(t);
    }
}
