package org.vigil.ingest.mqtt;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.bus.Addresses;
import org.vigil.common.model.Reading;
import org.vigil.ingest.config.IngestConfig;
import org.vigil.ingest.metrics.IngestMetrics;
import org.vigil.ingest.payload.ParseResult;
import org.vigil.ingest.payload.PayloadParser;
import org.vigil.ingest.payload.Rejection;
import org.vigil.ingest.store.ReadingWriter;
import org.vigil.registry.cache.DeviceDirectory;
import org.vigil.registry.model.DeviceIdentity;

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
 * close. A device has one session per node ({@link DeviceSessions}): a new connection with its credentials takes
 * over the old one (DISCONNECT 0x8E on MQTT 5).
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
    private final EndpointReads reads = new EndpointReads();
    private final Set<DeviceSession> capped = new HashSet<>();
    /** This verticle's connected sessions by serial, to close them when a device's credentials change. */
    private final Map<String, DeviceSession> bySerial = new HashMap<>();
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
        DeviceSession session = bySerial.get(change.getString("serial"));
        if (session == null) {
            return;
        }
        LOG.info("Closing connection after a registry change [device: {}, change: {}]", session.device.serial(), what);
        metrics.closedForCredentials();
        session.disconnect(MqttDisconnectReasonCode.ADMINISTRATIVE_ACTION);
    }

    /** Closes capped sessions that have been silent longer than allowed. */
    private void closeSilent(long limitMs) {
        long now = clock.millis();
        for (DeviceSession session : List.copyOf(capped)) {
            if (now - session.lastActivity > limitMs) {
                LOG.debug("Closing silent connection [device: {}]", session.device.serial());
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
            tryReject(endpoint, v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
            return;
        }
        if (!gate.tryAdmit()) {
            metrics.connectRefused("too_many_connections");
            tryReject(endpoint, v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
            return;
        }
        new DeviceSession(endpoint, v5).authenticate();
    }

    private static void tryReject(MqttEndpoint endpoint, MqttConnectReturnCode code) {
        try {
            endpoint.reject(code);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // the client went away while we looked it up
        }
    }

    /**
     * One device connection from its CONNECT to its close; confined to this verticle's event loop.
     *
     * <p>It holds a connection slot from the moment it is admitted. Its close handler is set first, before the
     * login is looked up, and is the one place that gives the slot back, so the slot returns whichever way the
     * connection ends: refused, hung up during the lookup, taken over, closed by either side.
     */
    private final class DeviceSession implements DeviceSessions.Session {
        private final MqttEndpoint endpoint;
        private final boolean v5;
        private final AckSequencer<MqttPubAckReasonCode> acks = new AckSequencer<>(this::acknowledge);
        private DeviceIdentity device;
        private String topic;
        private RateLimiter rate;
        /** Accepted, and not yet being closed by us. */
        private boolean open;
        /** Recorded as connected in the device's activity and sessions. */
        private boolean accepted;
        /** The socket closed; the slot is back. */
        private boolean closed;
        private long lastActivity;
        private long lastSeenReported;
        private long resumeTimer = -1;

        DeviceSession(MqttEndpoint endpoint, boolean v5) {
            this.endpoint = endpoint;
            this.v5 = v5;
            endpoint.closeHandler(v -> onClosed());
            endpoint.exceptionHandler(this::onError);
            // Packets sent right behind the CONNECT wait here until the login is decided: Vert.x would close the
            // connection on a PUBLISH delivered before the CONNACK.
            reads.pause(endpoint);
        }

        void authenticate() {
            if (endpoint.auth() == null || endpoint.auth().getUsername() == null || endpoint.auth().getPassword() == null) {
                refuseCredentials();
                return;
            }
            String serial = endpoint.auth().getUsername();
            byte[] password = endpoint.auth().getPassword().getBytes(StandardCharsets.UTF_8);
            directory.lookup(serial).onComplete(ar -> {
                if (closed) {
                    return; // hung up while we looked it up; the slot is already back
                }
                if (ar.failed()) {
                    LOG.warn("Registry unavailable, refusing connection [device: {}]: {}", serial, ar.cause().toString());
                    refuse("unavailable", MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5,
                            MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
                    return;
                }
                Optional<DeviceIdentity> found = ar.result();
                if (found.isPresent() && found.get().revoked()) {
                    LOG.debug("Refused connection of a revoked device [device: {}]", serial);
                    refuse("revoked", MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5,
                            MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
                    return;
                }
                if (found.isEmpty() || !found.get().accepts(password)) {
                    LOG.debug("Refused connection [device: {}, known: {}]", serial, found.isPresent());
                    refuseCredentials();
                    return;
                }
                if (gate.draining()) {
                    refuse("draining", MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5,
                            MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
                    return;
                }
                try {
                    open(found.get());
                } catch (RuntimeException e) {
                    LOG.warn("Could not open the session, closing [device: {}]", serial, e);
                    closeQuietly();
                }
            });
        }

        private void refuseCredentials() {
            refuse("bad_credentials", MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD,
                    MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD);
        }

        /** CONNACK with the refusal, then the connection closes (and its close handler gives the slot back). */
        private void refuse(String reason, MqttConnectReturnCode v5Code, MqttConnectReturnCode v311Code) {
            metrics.connectRefused(reason);
            tryReject(endpoint, v5 ? v5Code : v311Code);
        }

        private void open(DeviceIdentity identity) {
            device = identity;
            topic = "v1/devices/" + device.serial() + "/vitals";
            rate = sessions.limiter(device.id());
            endpoint.publishAutoAck(false);
            endpoint.publishHandler(this::onPublish);
            endpoint.publishReleaseHandler(endpoint::publishComplete);
            endpoint.pingHandler(v -> lastActivity = clock.millis());
            lastActivity = clock.millis();
            int maxKeepAlive = (int) Math.min(65535, config.maxKeepAlive().toSeconds());
            int asked = endpoint.keepAliveTimeSeconds();
            boolean cap = asked == 0 || asked > maxKeepAlive;
            if (cap && v5) {
                MqttProperties properties = new MqttProperties();
                properties.add(new MqttProperties.IntegerProperty(
                        MqttProperties.MqttPropertyType.SERVER_KEEP_ALIVE.value(), maxKeepAlive));
                endpoint.accept(false, properties);
            } else {
                endpoint.accept(false);
            }
            open = true;
            if (cap) {
                capped.add(this);
            }
            DeviceSessions.Session previous = sessions.claim(device.id(), this);
            if (previous != null) {
                previous.takeOver();
            }
            activity.connected(device, lastActivity);
            accepted = true;
            bySerial.put(device.serial(), this);
            // Last: this delivers the packets that arrived behind the CONNECT, now that they can be handled.
            reads.resume(endpoint);
        }

        /** The only place the slot is given back; runs once, however the connection ended. */
        private void onClosed() {
            if (closed) {
                return;
            }
            closed = true;
            open = false;
            gate.release();
            if (resumeTimer >= 0) {
                vertx.cancelTimer(resumeTimer);
            }
            capped.remove(this);
            if (accepted) {
                bySerial.remove(device.serial(), this);
                sessions.release(device.id(), this);
                activity.disconnected(device, clock.millis());
            }
        }

        /** A newer connection of this device was accepted, maybe on another event loop: this one goes. */
        @Override
        public void takeOver() {
            context.runOnContext(v -> {
                if (open) {
                    LOG.debug("Connection taken over by a newer one [device: {}]", device.serial());
                    metrics.takenOver();
                    disconnect(MqttDisconnectReasonCode.SESSION_TAKEN_OVER);
                }
            });
        }

        private void onError(Throwable error) {
            String who = device == null ? "?" : device.serial();
            if (error instanceof TooLongFrameException
                    || (error.getCause() instanceof TooLongFrameException)) {
                metrics.rejected(Rejection.OVERSIZED, 1);
                LOG.debug("Oversized message, closing [device: {}]: {}", who, error.getMessage());
            } else {
                LOG.debug("Connection error [device: {}]: {}", who, error.toString());
            }
        }

        private void onPublish(MqttPublishMessage message) {
            if (!open) {
                return;
            }
            long arrived = System.nanoTime();
            metrics.messageReceived();
            lastActivity = clock.millis();
            // Last-seen is kept to the second: one shared-map update per device and second, not per message.
            if (lastActivity - lastSeenReported >= 1_000) {
                lastSeenReported = lastActivity;
                activity.seen(device.id(), lastActivity);
            }
            MqttQoS qos = message.qosLevel();
            if (gate.draining()) {
                // Not acknowledged: the device keeps the message and resends it to whichever node it reaches next.
                metrics.rejected(Rejection.SHUTTING_DOWN, 1);
                return;
            }
            long wait = rate.take(lastActivity);
            if (wait == RateLimiter.ABUSIVE) {
                metrics.rejected(Rejection.RATE_LIMITED, 1);
                LOG.info("Over its message rate for longer than {}, disconnecting [device: {}]",
                        config.throttleLimit(), device.serial());
                disconnect(MqttDisconnectReasonCode.MESSAGE_RATE_TOO_HIGH);
                return;
            }
            handle(message, qos, arrived);
            if (wait > 0 && open) {
                slowDown(wait);
            }
        }

        /**
         * Stops reading the connection for {@code millis}: the device's next packets wait in its socket, and it
         * stops sending once its in-flight window or the TCP window is full. Nothing is lost or refused.
         */
        private void slowDown(long millis) {
            metrics.throttled();
            reads.pause(endpoint);
            if (resumeTimer >= 0) {
                vertx.cancelTimer(resumeTimer);
            }
            resumeTimer = vertx.setTimer(millis, t -> {
                resumeTimer = -1;
                if (!closed) {
                    reads.resume(endpoint);
                }
            });
        }

        /** {@code arrived}: when the message was read, in {@link System#nanoTime()}, for the time to storage. */
        private void handle(MqttPublishMessage message, MqttQoS qos, long arrived) {
            if (!topic.equals(message.topicName())) {
                metrics.rejected(Rejection.WRONG_TOPIC, 1);
                LOG.debug("Publish to a foreign topic refused [device: {}, topic: {}]", device.serial(), message.topicName());
                if (!v5) {
                    closeQuietly();
                } else if (qos != MqttQoS.AT_MOST_ONCE) {
                    acks.complete(acks.enqueue(message.messageId(), qos == MqttQoS.EXACTLY_ONCE),
                            MqttPubAckReasonCode.NOT_AUTHORIZED);
                }
                return;
            }
            ParseResult parsed = parser.parse(message.payload().getBytes(), device.id(), device::patientAt, clock.millis());
            countRejections(parsed);
            AckSequencer.Ticket<MqttPubAckReasonCode> ticket = qos == MqttQoS.AT_MOST_ONCE ? null
                    : acks.enqueue(message.messageId(), qos == MqttQoS.EXACTLY_ONCE);
            List<Reading> readings = parsed.readings();
            if (readings.isEmpty()) {
                if (ticket != null) {
                    // Nothing storable: acknowledge so the device does not resend it forever.
                    acks.complete(ticket, MqttPubAckReasonCode.PAYLOAD_FORMAT_INVALID);
                }
                return;
            }
            boolean queued = writer.submit(device.id(), readings, failure -> context.runOnContext(v -> {
                if (failure != null) {
                    // Not durable: never acknowledge. Closing makes the device resend after reconnecting.
                    LOG.debug("Readings not stored, closing [device: {}]: {}", device.serial(), failure.toString());
                    closeQuietly();
                    return;
                }
                metrics.messageStored(System.nanoTime() - arrived);
                if (ticket != null) {
                    acks.complete(ticket, MqttPubAckReasonCode.SUCCESS);
                }
            }));
            if (!queued) {
                metrics.rejected(Rejection.OVERLOADED, 1);
                disconnect(MqttDisconnectReasonCode.SERVER_BUSY);
            }
        }

        private void countRejections(ParseResult parsed) {
            if (parsed.rejectedTotal() == 0) {
                return;
            }
            for (Rejection r : Rejection.values()) {
                int n = parsed.rejected(r);
                if (n > 0) {
                    metrics.rejected(r, n);
                }
            }
            LOG.debug("Values rejected [device: {}]: {}", device.serial(), parsed);
        }

        private void acknowledge(int messageId, boolean exactlyOnce, MqttPubAckReasonCode outcome) {
            if (!open) {
                return;
            }
            if (exactlyOnce) {
                // QoS 2: PUBREC once durable; the idempotent store makes the PUBREL/PUBCOMP exchange safe.
                endpoint.publishReceived(messageId);
            } else if (v5) {
                endpoint.publishAcknowledge(messageId, outcome, MqttProperties.NO_PROPERTIES);
            } else {
                endpoint.publishAcknowledge(messageId);
            }
        }

        /** MQTT 5 gets a DISCONNECT with the reason; 3.1.1 has none, so the connection just closes. */
        private void disconnect(MqttDisconnectReasonCode reason) {
            if (!open) {
                return;
            }
            if (v5) {
                open = false;
                try {
                    endpoint.disconnect(reason, MqttProperties.NO_PROPERTIES);
                } catch (IllegalArgumentException | IllegalStateException ignored) {
                    // already closed
                }
            } else {
                closeQuietly();
            }
        }

        private void closeQuietly() {
            if (!closed) {
                open = false;
                try {
                    endpoint.close();
                } catch (IllegalArgumentException | IllegalStateException ignored) {
                    // already closed
                }
            }
        }
    }
}
