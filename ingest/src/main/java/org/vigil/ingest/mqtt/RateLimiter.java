package org.vigil.ingest.mqtt;

/**
 * One device's token bucket: {@code burst} publishes at once, refilled at {@code perSecond}. Shared by all the
 * device's connections to the node, so a device cannot multiply its rate by connecting several times.
 *
 * <p>A publish beyond the rate is not refused: it takes a token on credit, and {@link #take} says how long the
 * caller must stop reading the connection until the bucket holds a token again. A device is thus slowed to its rate by TCP
 * back-pressure, as brokers do, and a backlog drains at the permitted rate instead of being cut off.
 *
 * <p>Abuse is being slowed for longer than {@code throttleLimitMillis} without a break, a break being a moment in
 * which the bucket is full again (the device sent less than its rate for {@code burst / perSecond} seconds). A
 * device replaying a backlog after an outage is slowed without a break too, so the limit must exceed the longest
 * backlog worth draining.
 *
 * <p>Thread-safe: a device's connections may be served by different event loops. Time is passed in, so tests
 * control it.
 */
final class RateLimiter {

    /** {@link #take} result for a device slowed for longer than the throttle limit. */
    static final long ABUSIVE = -1;

    private static final long NOT_THROTTLED = Long.MIN_VALUE;

    private final double perMilli;
    private final double burst;
    private final long throttleLimitMillis;
    private double tokens;
    private long lastMillis;
    private long throttledSince = NOT_THROTTLED;

    RateLimiter(int perSecond, int burst, long throttleLimitMillis, long nowMillis) {
        this.perMilli = perSecond / 1000.0;
        this.burst = burst;
        this.throttleLimitMillis = throttleLimitMillis;
        this.tokens = burst;
        this.lastMillis = nowMillis;
    }

    /**
     * Takes a token for one publish.
     *
     * @return 0 to go on reading; otherwise the milliseconds to stop reading the connection before the next
     *         publish; or {@link #ABUSIVE}, in which case no token was taken and the publish must not be processed
     */
    synchronized long take(long nowMillis) {
        if (nowMillis > lastMillis) {
            tokens = Math.min(burst, tokens + (nowMillis - lastMillis) * perMilli);
            lastMillis = nowMillis;
        }
        if (tokens >= burst) {
            throttledSince = NOT_THROTTLED;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        if (throttledSince == NOT_THROTTLED) {
            throttledSince = nowMillis;
        } else if (nowMillis - throttledSince > throttleLimitMillis) {
            return ABUSIVE;
        }
        tokens -= 1;
        // Read again once the bucket holds a whole token: the next publish then finds one.
        return Math.max(1, (long) Math.ceil((1 - tokens) / perMilli));
    }
}
