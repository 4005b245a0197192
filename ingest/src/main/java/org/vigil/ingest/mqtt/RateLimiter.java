package org.vigil.ingest.mqtt;

/**
 * A token bucket: {@code burst} publishes at once, refilled at {@code perSecond}. One per connection,
 * confined to its event loop; time is passed in so tests control it.
 */
final class RateLimiter {

    private final double perMilli;
    private final double burst;
    private double tokens;
    private long lastMillis;

    RateLimiter(int perSecond, int burst, long nowMillis) {
        this.perMilli = perSecond / 1000.0;
        this.burst = burst;
        this.tokens = burst;
        this.lastMillis = nowMillis;
    }

    /** Takes one token if there is one. */
    boolean tryAcquire(long nowMillis) {
        if (nowMillis > lastMillis) {
            tokens = Math.min(burst, tokens + (nowMillis - lastMillis) * perMilli);
            lastMillis = nowMillis;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
