package org.vigil.ingest.mqtt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The devices connected to this node, one session each, and their rate limits.
 *
 * <p>A device's credentials are its identity, so a device has one session: a new connection with its
 * credentials takes over the old one, whatever client id either used, as MQTT 3.1.1 §3.1.4 has a server do for
 * a repeated client id (MQTT 5: DISCONNECT 0x8E, session taken over). A half-open connection left by a device
 * that lost its network is thereby replaced at once, and one credential cannot hold many connections.
 *
 * <p>Across nodes (cluster mode) the same holds: every accepted session is announced to the other nodes with its
 * {@link SessionStamp}, and a node holding an older session of the device closes it ({@link #supersededBy}). Of two
 * sessions on different nodes the newer one survives, whichever announcement arrives first; a node's own
 * announcements change nothing here, where {@link #claim} has already settled which session is current.
 *
 * <p>The rate limiter belongs to the device, not to a connection, and outlives its sessions until its bucket
 * would be full again, so neither parallel connections nor reconnecting buys a device a fresh burst.
 *
 * <p>Shared by all MQTT verticles of the node; thread-safe.
 */
public final class DeviceSessions {

    /** A device's session, on whatever event loop serves it. */
    interface Session {
        /** When and where it was accepted; set before it is {@linkplain DeviceSessions#claim claimed}. */
        SessionStamp stamp();

        /** Another connection of the same device was accepted here: close this one (from its own event loop). */
        void takeOver();

        /**
         * A newer connection of the same device was accepted on another node: close this one (from its own event
         * loop). The device did not go offline: it moved, as of {@code newer}'s acceptance.
         */
        void moveAway(SessionStamp newer);
    }

    private final ConcurrentHashMap<Long, Session> current = new ConcurrentHashMap<>();
    private final Cache<Long, RateLimiter> limiters;
    private final int perSecond;
    private final int burst;
    private final long throttleLimitMillis;
    private final Clock clock;
    private final String nodeId;
    /** Makes this process's session ids unlike those of any other process, this node's predecessors included. */
    private final String instance = UUID.randomUUID().toString();
    private final AtomicLong sessionCount = new AtomicLong();

    public DeviceSessions(int perSecond, int burst, Duration throttleLimit, String nodeId, Clock clock) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.throttleLimitMillis = throttleLimit.toMillis();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        // Once idle this long a bucket is full again (even after a token or two of credit): a new one is the same.
        Duration refill = Duration.ofMillis((burst + 2) * 1000L / perSecond + 1000);
        this.limiters = Caffeine.newBuilder()
                .expireAfterAccess(refill)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .build();
    }

    /** A stamp for a session of this node accepted at {@code connectedAt} (epoch milliseconds). */
    SessionStamp stamp(long connectedAt) {
        return new SessionStamp(nodeId, instance + "-" + sessionCount.incrementAndGet(), connectedAt);
    }

    /**
     * Makes {@code session} the device's current one.
     *
     * @return the session it replaces, which the caller must {@linkplain Session#takeOver() take over}, or null
     */
    Session claim(long deviceId, Session session) {
        Session previous = current.put(deviceId, session);
        return previous == session ? null : previous;
    }

    /** The session ended; the device has none unless another one took over meanwhile. */
    void release(long deviceId, Session session) {
        current.remove(deviceId, session);
    }

    /**
     * A session of the device was accepted elsewhere, as {@code announced}. If it is another node's and newer than
     * the device's session here, that session is no longer current.
     *
     * @return the session it supersedes, which the caller must {@linkplain Session#moveAway move away}, or null
     */
    Session supersededBy(long deviceId, SessionStamp announced) {
        if (nodeId.equals(announced.node())) {
            return null; // ours: claim() settled it when the session opened
        }
        Session local = current.get(deviceId);
        if (local == null || !announced.newerThan(local.stamp())) {
            return null; // an older session's announcement, arriving late: ours stays
        }
        return current.remove(deviceId, local) ? local : null;
    }

    /** The device's rate limiter, shared by its connections. */
    RateLimiter limiter(long deviceId) {
        return limiters.get(deviceId, id -> new RateLimiter(perSecond, burst, throttleLimitMillis, clock.millis()));
    }
}
