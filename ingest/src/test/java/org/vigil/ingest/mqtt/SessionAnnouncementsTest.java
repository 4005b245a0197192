package org.vigil.ingest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.common.bus.Addresses;

@Timeout(10)
class SessionAnnouncementsTest {

    private final Vertx vertx = Vertx.vertx();
    private final DeviceSessions nodeA = new DeviceSessions(10, 5, Duration.ofMinutes(1), "node-a", Clock.systemUTC());
    private final DeviceSessions nodeB = new DeviceSessions(10, 5, Duration.ofMinutes(1), "node-b", Clock.systemUTC());
    private final SessionAnnouncements announcements = new SessionAnnouncements(vertx, nodeA);

    @AfterEach
    void close() {
        vertx.close().await();
    }

    /** Verifies that another node's announcement on the bus, as the relay publishes it, moves the session here away. */
    @Test
    void anotherNodesAnnouncementOnTheBusMovesTheOlderSessionHereAway() throws Exception {
        announcements.start().await();
        FakeSession here = new FakeSession(nodeA.stamp(1_000));
        nodeA.claim(7, here);

        SessionStamp onB = nodeB.stamp(1_500);
        vertx.eventBus().publish(Addresses.DEVICE_SESSION, SessionAnnouncements.toJson(7, onB));

        assertThat(here.movedAway().get(5, TimeUnit.SECONDS)).isEqualTo(onB);
    }

    /** Verifies that a node hearing its own announcement (single node: the only one it hears) keeps the session. */
    @Test
    void itsOwnAnnouncementKeepsTheSession() {
        SessionStamp stamp = nodeA.stamp(1_000);
        FakeSession here = new FakeSession(stamp);
        nodeA.claim(7, here);

        announcements.heard(SessionAnnouncements.toJson(7, stamp));
        announcements.heard(SessionAnnouncements.toJson(7, nodeA.stamp(2_000)));

        assertThat(here.movedAway()).isNotDone();
    }

    /** Verifies that malformed announcements are skipped without harm, and the next one still acts. */
    @Test
    void malformedAnnouncementsAreSkipped() {
        FakeSession here = new FakeSession(nodeA.stamp(1_000));
        nodeA.claim(7, here);
        JsonObject good = SessionAnnouncements.toJson(7, nodeB.stamp(1_500));

        announcements.heard(good.copy().put("deviceId", "seven"));
        announcements.heard(good.copy().put("connectedAt", "soon"));
        announcements.heard(good.copy().putNull("sessionId"));
        announcements.heard(new JsonObject().put("deviceId", 7));
        assertThat(here.movedAway()).isNotDone();

        announcements.heard(good);
        assertThat(here.movedAway()).isCompleted();
    }
}
