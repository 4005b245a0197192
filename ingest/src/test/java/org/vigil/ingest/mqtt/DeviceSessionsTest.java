package org.vigil.ingest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.vigil.common.testing.HandClock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DeviceSessionsTest {

    private final HandClock clock = new HandClock(Instant.ofEpochMilli(1_000_000));
    private final DeviceSessions sessions = new DeviceSessions(10, 5, Duration.ofMinutes(1), "node-a", clock);
    private final DeviceSessions nodeB = new DeviceSessions(10, 5, Duration.ofMinutes(1), "node-b", clock);

    private FakeSession session(DeviceSessions node, long connectedAt) {
        return new FakeSession(node.stamp(connectedAt));
    }

    @Test
    void aNewSessionOfTheSameDeviceReplacesTheOldOne() {
        DeviceSessions.Session first = session(sessions, 1);
        DeviceSessions.Session second = session(sessions, 2);
        assertThat(sessions.claim(7, first)).isNull();
        assertThat(sessions.claim(7, second)).isSameAs(first);
        // The old session's close comes after the takeover: it must not remove the new one.
        sessions.release(7, first);
        assertThat(sessions.claim(7, first)).as("the second was still current").isSameAs(second);
    }

    @Test
    void otherDevicesAreIndependent() {
        assertThat(sessions.claim(1, session(sessions, 1))).isNull();
        assertThat(sessions.claim(2, session(sessions, 1))).isNull();
        assertThat(sessions.supersededBy(2, nodeB.stamp(5))).as("device 2.s session goes").isNotNull();
        assertThat(sessions.claim(1, session(sessions, 6))).as("device 1.s stays").isNotNull();
    }

    /** Verifies that a session accepted later on another node supersedes the device's session here, and only once. */
    @Test
    void aNewerSessionOnAnotherNodeSupersedesTheOneHere() {
        FakeSession here = session(sessions, 1_000);
        sessions.claim(7, here);

        assertThat(sessions.supersededBy(7, nodeB.stamp(1_001))).isSameAs(here);
        assertThat(sessions.supersededBy(7, nodeB.stamp(1_002))).as("no longer current").isNull();
        // Its close comes after: nothing left to release, and a new session here starts afresh.
        sessions.release(7, here);
        assertThat(sessions.claim(7, session(sessions, 1_003))).isNull();
    }

    /**
     * Verifies that an announcement arriving late, of a session older than the device's session here (the device
     * moved from B to A faster than B's announcement travelled), leaves the session here alone.
     */
    @Test
    void anOlderSessionOnAnotherNodeLeavesTheNewerOneHere() {
        FakeSession here = session(sessions, 1_000);
        sessions.claim(7, here);

        assertThat(sessions.supersededBy(7, nodeB.stamp(999))).isNull();
        assertThat(sessions.claim(7, session(sessions, 1_001))).as("still current").isSameAs(here);
    }

    /** Verifies that a node's own announcement (heard on its local bus) never closes a session of its own. */
    @Test
    void aNodesOwnAnnouncementChangesNothing() {
        FakeSession older = session(sessions, 1_000);
        FakeSession newer = session(sessions, 1_001);
        sessions.claim(7, newer);

        assertThat(sessions.supersededBy(7, newer.stamp())).isNull();
        // Two event loops may claim in the other order than their clocks read: the claim decided, not the clock.
        sessions.claim(8, older);
        assertThat(sessions.supersededBy(8, newer.stamp())).isNull();
    }

    /** Verifies that of two sessions accepted in the same millisecond on two nodes exactly one survives. */
    @Test
    void twoNodesAgreeOnTheNewerOfTwoSessionsOfTheSameMillisecond() {
        for (int i = 0; i < 20; i++) {
            FakeSession onA = session(sessions, 5_000 + i);
            FakeSession onB = session(nodeB, 5_000 + i);
            sessions.claim(100 + i, onA);
            nodeB.claim(100 + i, onB);

            DeviceSessions.Session closedOnA = sessions.supersededBy(100 + i, onB.stamp());
            DeviceSessions.Session closedOnB = nodeB.supersededBy(100 + i, onA.stamp());

            assertThat(closedOnA == null ^ closedOnB == null).as("exactly one of the two goes").isTrue();
        }
    }

    /** Verifies that stamps of one node are distinct even at the same millisecond, and unlike a restarted node's. */
    @Test
    void sessionIdsAreUniqueAcrossSessionsAndRestarts() {
        DeviceSessions restarted = new DeviceSessions(10, 5, Duration.ofMinutes(1), "node-a", clock);
        assertThat(List.of(sessions.stamp(1).id(), sessions.stamp(1).id(), restarted.stamp(1).id()))
                .doesNotHaveDuplicates();
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

        clock.advance(Duration.ofSeconds(10)); // far longer than 5 tokens at 10/s take to refill
        RateLimiter later = sessions.limiter(7);
        for (int i = 0; i < 5; i++) {
            assertThat(later.take(clock.millis())).isZero();
        }
    }
}
