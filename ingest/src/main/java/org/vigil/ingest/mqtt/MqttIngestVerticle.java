package org.vigil.ingest.mqtt;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import java.time.Clock;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.bus.Addresses;
import org.vigil.ingest.config.IngestConfig;
import org.vigil.ingest.metrics.IngestMetrics;
import org.vigil.ingest.payload.PayloadParser;
import org.vigil.ingest.store.ReadingWriter;
import org.vigil.registry.cache.DeviceDirectory;

/**
 * The MQTT endpoint devices publish to, on one listener (plain or TLS). Deploy several instances to use
 * several event loops; they share the port.
 *
 * <p>On CONNECT the username is the device serial and the password its secret, checked against the
 * cached registry. Packets the client sends behind its CONNECT (MQTT 3.1.1 §3.1.4 allows them before the
 * CONNACK) wait, unread, until the login is decided. On PUBLISH to {@code v1/devices/{serial}/vitals} the
 * handler only parses and validates, then hands the readings to the {@link ReadingWriter}. A QoS 1 PUBACK
 * (QoS 2 PUBREC) is sent only once the readings are committed, and in the order the messages arrived.
 *
 * <p>Connections: each holds one of the node's {@code VIGIL_MQTT_MAX_CONNECTIONS} slots from its CONNECT to its
 * close. A device has one session ({@link DeviceSessions}): a new connection with its credentials takes over the
 * old one (DISCONNECT 0x8E on MQTT 5), on this node or, announced through {@link SessionAnnouncements}, on another.
 *
 * <p>Backpressure: a device has at most its client's in-flight window of unacknowledged QoS 1 messages
 * (MQTT 5 Receive Maximum, Paho's max-inflight), so while the database is slow devices stop sending by
 * themselves. When a writer queue is full anyway, the message is refused unacknowledged and the
 * connection closed; the device resends after reconnecting. A device publishing faster than its rate (one
 * token bucket per device, whatever its connections) is slowed: its connection is not read until its next
 * token is due, so a backlog after an outage drains at the permitted rate, every message acknowledged. Only a
 * device slowed without a break for longer than {@code VIGIL_MQTT_THROTTLE_LIMIT} is disconnected (0x96 on
 * MQTT 5).
 *
 * <p>Refusals: bad credentials get CONNACK 0x04 (3.1.1) or 0x86 (5); a registry outage, a full node or a
 * draining node 0x03 or 0x88 / 0x97. A publish to another topic gets PUBACK 0x87 on MQTT 5 and closes the
 * connection on 3.1.1, which has no negative acknowledgement. A payload with no usable value is
 * acknowledged (0x99 on MQTT 5) so the device does not resend it forever. A revoked device is refused as not
 * authorized (0x05 / 0x87), and when a device's secret is rotated or revoked its open connection is closed
 * (DISCONNECT 0x98 on MQTT 5). Every refusal is counted by reason.
 *
 * <p>Threads: everything a connection does runs on the event loop of the verticle instance that accepted it, so
 * its state needs no locks. This class owns the listener and what spans its connections (admission, registry
 * changes, the keep-alive sweep); each connection is a {@link DeviceSession} (login, take-over, closing) and,
 * once accepted, a {@link PublishHandler} (rate, parsing, hand-off, ordered acknowledgements).
 *
 * <p>Keep-alive: Vert.x closes a connection silent for 1.5 times the keep-alive the client asked for. A
 * client that asked for none, or for more than {@code VIGIL_MQTT_MAX_KEEPALIVE}, is held to that maximum
 * instead (MQTT 5 clients are told so with Server Keep Alive) by a sweep over such sessions, so dead
 * connections cannot pile up.
 */
public final class MqttIngestVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(MqttIngestVerticle.class);
    private static final int MQTT_5 = 5;

    private final MqttServerOptions listener;
    private final IngestConfig config;
    private final IngestGate gate;
    private final DeviceSessions sessions;
    private final DeviceDirectory directory;
    private final ReadingWriter writer;
    private final PayloadParser parser;
    private final IngestMetrics metrics;
    private final DeviceActivity activity;
    private final Clock clock;
    /** Built at start, once this instance has its event loop; shared by its sessions. */
    private SessionScope scope;
    private MqttServer server;

    public MqttIngestVerticle(MqttServerOptions listener, IngestConfig config, IngestGate gate, DeviceSessions sessions,
            DeviceDirectory directory, ReadingWriter writer, PayloadParser parser, IngestMetrics metrics,
            DeviceActivity activity, Clock clock) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.config = Objects.requireNonNull(config, "config");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.parser = Objects.requireNonNull(parser, "parser");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.activity = Objects.requireNonNull(activity, "activity");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Future<?> start() {
        scope = new SessionScope(vertx, context, config, gate, sessions, directory, writer, parser, metrics, activity,
                clock);
        // After we close a connection, Vert.x still decodes what the client had already sent and reports
        // each packet as an error; that is expected traffic, not a fault of ours.
        context.exceptionHandler(e -> {
            if (e instanceof IllegalArgumentException && String.valueOf(e.getMessage()).contains("not connected")) {
                LOG.debug("Packet after close ignored: {}", e.getMessage());
            } else {
                LOG.warn("Unexpected error on an MQTT event loop", e);
            }
        });
        server = MqttServer.create(vertx, new MqttServerOptions(listener))
                .endpointHandler(this::onConnect)
                .exceptionHandler(e -> LOG.debug("MQTT connection error: {}", e.toString()));
        vertx.eventBus().<JsonObject>consumer(Addresses.REGISTRY_CHANGED, msg -> onRegistryChange(msg.body()));
        long maxKeepAliveMs = config.maxKeepAlive().toMillis();
        vertx.setPeriodic(Math.max(250, maxKeepAliveMs / 4), t -> closeSilent(maxKeepAliveMs * 3 / 2));
        return server.listen();
    }

    /**
     * A rotated or revoked secret stops working at once: the cache has already dropped the device (its own
     * listener), and here every open connection of the device is closed, so it must authenticate again. The same
     * happens when the device is bound to another patient.
     */
    private void onRegistryChange(JsonObject change) {
        if (!"device".equals(change.getString("kind"))) {
            return;
        }
        String what = change.getString("change");
        // A rebinding closes the connection too: the session holds the bindings it authenticated with, and a
        // device that moves to another patient must not go on filing readings under the old one.
        if (!"secret_rotated".equals(what) && !"revoked".equals(what) && !"rebound".equals(what)
                && !"unbound".equals(what)) {
            return;
        }
        DeviceSession session = scope.bySerial.get(change.getString("serial"));
        if (session == null) {
            return;
        }
        LOG.info("Closing connection after a registry change [device: {}, change: {}]", session.device().serial(), what);
        metrics.closedForCredentials();
        session.disconnect(MqttDisconnectReasonCode.ADMINISTRATIVE_ACTION);
    }

    /** Closes capped sessions that have been silent longer than allowed. */
    private void closeSilent(long limitMs) {
        long now = clock.millis();
        for (DeviceSession session : List.copyOf(scope.capped)) {
            if (now - session.lastActivity() > limitMs) {
                LOG.debug("Closing silent connection [device: {}]", session.device().serial());
                metrics.closedSilent();
                session.closeQuietly();
            }
        }
    }

    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    /** The port actually bound (useful when configured as 0). */
    public int actualPort() {
        return server.actualPort();
    }

    private void onConnect(MqttEndpoint endpoint) {
        boolean v5 = endpoint.protocolVersion() == MQTT_5;
        if (gate.draining()) {
            metrics.connectRefused("draining");
            DeviceSession.tryReject(endpoint, v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
            return;
        }
        if (!gate.tryAdmit()) {
            metrics.connectRefused("too_many_connections");
            DeviceSession.tryReject(endpoint, v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
            return;
        }
        new DeviceSession(scope, endpoint, v5).authenticate();
    }
}
