package org.vigil.ingest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DeviceSessionsTest {

    /** A clock the test moves. */
    private static final class MovingClock extends Clock {
        private long millis = 1_000_000;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    private final MovingClock clock = new MovingClock();
    private final DeviceSessions sessions = new DeviceSessions(10, 5, Duration.ofMinutes(1), clock);

    @Test
    void aNewSessionOfTheSameDeviceReplacesTheOldOne() {
        DeviceSessions.Session first = () -> { };
        DeviceSessions.Session second = () -> { };
        assertThat(sessions.claim(7, first)).isNull();
        assertThat(sessions.claim(7, second)).isSameAs(first);
        // The old session's close comes after the takeover: it must not remove the new one.
        sessions.release(7, first);
        assertThat(sessions.claim(7, first)).as("the second was still current").isSameAs(second);
    }

    @Test
    void otherDevicesAreIndependent() {
        assertThat(sessions.claim(1, () -> { })).isNull();
        assertThat(sessions.claim(2, () -> { })).isNull();
    }

    /** Verifies that reconnecting does not buy a fresh burst, and that an idle device's bucket is full again. */
    @Test
    void theRateLimiterOutlivesSessionsUntilItWouldBeFullAnyway() {
        RateLimiter limiter = sessions.limiter(7);
        for (int i = 0; i < 5; i++) {
            limiter.take(clock.millis());
        }
        assertThat(sessions.limiter(7)).as("the same bucket after a reconnect").isSameAs(limiter);
        assertThat(sessions.limiter(7).take(clock.millis())).as("still empty").isPositive();

        clock.millis += 10_000; // far longer than 5 tokens at 10/s take to refill
        RateLimiter later = sessions.limiter(7);
        for (int i = 0; i < 5; i++) {
            assertThat(later.take(clock.millis())).isZero();
        }
    }
}
