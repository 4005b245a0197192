package org.vigil.common.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A clock that stands still until the test sets or advances it, so a test reaches a deadline without waiting. Safe
 * to read from any thread. Vigil reads only instants from a clock: the zone is always UTC.
 */
public final class HandClock extends Clock {

    private volatile Instant now;

    public HandClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start");
    }

    public void set(Instant to) {
        now = Objects.requireNonNull(to, "to");
    }

    public void advance(Duration by) {
        now = now.plus(by);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
