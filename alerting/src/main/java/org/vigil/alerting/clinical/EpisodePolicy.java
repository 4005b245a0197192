package org.vigil.alerting.clinical;

/** {@link LifecycleSettings} in milliseconds, as the hot path reads them. */
final class EpisodePolicy {

    final int clearReadings;
    final long clearMillis;
    final long updateMillis;
    final long flapMillis;
    final int flapClears;

    EpisodePolicy(LifecycleSettings s) {
        this.clearReadings = s.clearReadings();
        this.clearMillis = s.clearAfter().toMillis();
        this.updateMillis = s.updateEvery().toMillis();
        this.flapMillis = s.flapWindow().toMillis();
        this.flapClears = s.flapClears();
    }
}
