package org.vigil.ingest.mqtt;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.bus.Addresses;

/**
 * Device takeover across nodes: each accepted session is announced on {@link Addresses#DEVICE_SESSION}, which the
 * cluster's relay carries to every other node, and announcements heard here close the older session this node holds
 * of the device ({@link DeviceSessions#supersededBy}). Without a relay (one node) a node hears only its own, which
 * change nothing. One per node, whatever the number of MQTT verticles.
 */
public final class SessionAnnouncements {

    private static final Logger LOG = LoggerFactory.getLogger(SessionAnnouncements.class);

    private final Vertx vertx;
    private final DeviceSessions sessions;
    private MessageConsumer<JsonObject> consumer;

    public SessionAnnouncements(Vertx vertx, DeviceSessions sessions) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
    }

    /** Starts listening; call before the MQTT listeners open. */
    public Future<Void> start() {
        consumer = vertx.eventBus().consumer(Addresses.DEVICE_SESSION, m -> heard(m.body()));
        return consumer.completion();
    }

    public Future<Void> stop() {
        return consumer == null ? Future.succeededFuture() : consumer.unregister();
    }

    /** Tells every node (through the relay, in cluster mode) that this node accepted a session of the device. */
    static void announce(Vertx vertx, long deviceId, SessionStamp stamp) {
        vertx.eventBus().publish(Addresses.DEVICE_SESSION, toJson(deviceId, stamp));
    }

    static JsonObject toJson(long deviceId, SessionStamp stamp) {
        return new JsonObject()
                .put("deviceId", deviceId)
                .put("node", stamp.node())
                .put("sessionId", stamp.id())
                .put("connectedAt", stamp.connectedAt());
    }

    /** An announcement, from this node or (relayed) another. */
    void heard(JsonObject body) {
        Long deviceId;
        SessionStamp stamp;
        try {
            deviceId = body.getLong("deviceId");
            Long connectedAt = body.getLong("connectedAt");
            String node = body.getString("node");
            String id = body.getString("sessionId");
            if (deviceId == null || connectedAt == null || node == null || id == null) {
                throw new IllegalArgumentException("a field is missing");
            }
            stamp = new SessionStamp(node, id, connectedAt);
        } catch (RuntimeException e) {
            // A node of another version, or a bug: it must not stop us hearing the next one.
            LOG.warn("Malformed session announcement ignored: {} ({})", body, e.getMessage());
            return;
        }
        DeviceSessions.Session older = sessions.supersededBy(deviceId, stamp);
        if (older != null) {
            LOG.debug("Connection taken over by one on another node [device id: {}, node: {}]", deviceId,
                    stamp.node());
            older.moveAway(stamp);
        }
    }
}
