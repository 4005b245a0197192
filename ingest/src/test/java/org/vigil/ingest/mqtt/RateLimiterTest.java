package org.vigil.ingest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RateLimiterTest {

    private static final long MINUTE = 60_000;

    @Test
    void theBurstPassesWithoutWaiting() {
        RateLimiter rate = new RateLimiter(10, 5, MINUTE, 0);
        for (int i = 0; i < 5; i++) {
            assertThat(rate.take(0)).isZero();
        }
    }

    @Test
    void aPublishBeyondTheBurstIsTakenOnCreditAndTheReaderWaitsForTheNextToken() {
        RateLimiter rate = new RateLimiter(10, 5, MINUTE, 0);
        for (int i = 0; i < 5; i++) {
            rate.take(0);
        }
        // Bucket empty, 10 per second: this publish owes a token; reading resumes once a whole token is back.
        assertThat(rate.take(0)).isEqualTo(200);
        assertThat(rate.take(200)).isZero();
    }

    /** Verifies that a device publishing as fast as it is read gets exactly its rate over time. */
    @Test
    void aDeviceReadOnlyWhenToldDrainsAtItsRate() {
        RateLimiter rate = new RateLimiter(50, 200, MINUTE, 0);
        long now = 0;
        int taken = 0;
        while (now < 10_000) {
            long wait = rate.take(now);
            assertThat(wait).isNotEqualTo(RateLimiter.ABUSIVE);
            taken++;
            now += wait;
        }
        // The burst, then 50 per second for 10 s (within one publish of rounding).
        assertThat(taken).isBetween(200 + 500 - 1, 200 + 500 + 1);
    }

    @Test
    void aDeviceSlowedForLongerThanTheLimitIsAbusive() {
        RateLimiter rate = new RateLimiter(10, 5, 2_000, 0);
        long now = 0;
        long wait;
        while ((wait = rate.take(now)) != RateLimiter.ABUSIVE) {
            now += wait;
            assertThat(now).as("abusive within the limit and one token").isLessThanOrEqualTo(2_300);
        }
        assertThat(now).isGreaterThan(2_000);
    }

    /** Verifies that a device that lets its bucket refill between bursts is never called abusive. */
    @Test
    void aFullBucketEndsTheThrottling() {
        RateLimiter rate = new RateLimiter(10, 5, 2_000, 0);
        long now = 0;
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 8; i++) {
                long wait = rate.take(now);
                assertThat(wait).isNotEqualTo(RateLimiter.ABUSIVE);
                now += wait;
            }
            now += 1_500; // quiet long enough for the bucket to fill
        }
    }

    @Test
    void aReconnectingDeviceSharesTheSameBucket() {
        RateLimiter rate = new RateLimiter(10, 5, MINUTE, 0);
        int free = 0;
        for (int connection = 0; connection < 10; connection++) {
            if (rate.take(0) == 0) {
                free++;
            }
        }
        assertThat(free).isEqualTo(5);
    }
}
