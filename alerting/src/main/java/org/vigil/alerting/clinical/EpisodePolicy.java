package org.vigil.alerting.clinical;

import org.vigil.common.model.Severity;

/** {@link LifecycleSettings} in milliseconds, as the hot path reads them. */
final class EpisodePolicy {

    final int clearReadings;
    final long clearMillis;
    final long updateMillis;
    final long flapMillis;
    final int flapClears;
    /** By severity ordinal: whether an episode that reached it may clear without a doctor. */
    private final boolean[] autoClear = new boolean[Severity.values().length];

    EpisodePolicy(LifecycleSettings s) {
        this.clearReadings = s.clearReadings();
        this.clearMillis = s.clearAfter().toMillis();
        this.updateMillis = s.updateEvery().toMillis();
        this.flapMillis = s.flapWindow().toMillis();
        this.flapClears = s.flapClears();
        for (Severity severity : s.autoClear()) {
            autoClear[severity.ordinal()] = true;
        }
    }

    /** Whether an episode that reached {@code severity} resolves by itself once back in range. */
    boolean clearsItself(Severity severity) {
        return autoClear[severity.ordinal()];
    }
}
