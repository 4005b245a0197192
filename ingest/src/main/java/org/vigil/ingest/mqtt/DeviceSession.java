package org.vigil.ingest.mqtt;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.ingest.payload.Rejection;
import org.vigil.registry.model.DeviceIdentity;

/**
 * One device connection from its CONNECT to its close: login, keep-alive, take-over and closing. What it
 * does with the device's PUBLISH packets once accepted is the {@link PublishHandler}'s job.
 *
 * <p>Confined to its verticle's event loop, so it needs no locks; the only calls from elsewhere,
 * {@link #takeOver} and {@link #moveAway}, hop back onto that loop first.
 *
 * <p>It holds a connection slot from the moment it is admitted. Its close handler is set first, before the
 * login is looked up, and is the one place that gives the slot back, so the slot returns whichever way the
 * connection ends: refused, hung up during the lookup, taken over, closed by either side.
 */
final class DeviceSession implements DeviceSessions.Session {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceSession.class);

    private final SessionScope scope;
    private final MqttEndpoint endpoint;
    private final boolean v5;
    private DeviceIdentity device;
    /** When and where it was accepted; set once accepted. */
    private SessionStamp stamp;
    /** The newer session on another node that took over from this one, if one did. */
    private SessionStamp movedTo;
    private PublishHandler publishes;
    /** Accepted, and not yet being closed by us. */
    private boolean open;
    /** Recorded as connected in the device's activity and sessions. */
    private boolean accepted;
    /** The socket closed; the slot is back. */
    private boolean closed;
    private long lastActivity;

    DeviceSession(SessionScope scope, MqttEndpoint endpoint, boolean v5) {
        this.scope = scope;
        this.endpoint = endpoint;
        this.v5 = v5;
        endpoint.closeHandler(v -> onClosed());
        endpoint.exceptionHandler(this::onError);
        // Packets sent right behind the CONNECT wait here until the login is decided: Vert.x would close the
        // connection on a PUBLISH delivered before the CONNACK.
        scope.reads.pause(endpoint);
    }

    DeviceIdentity device() {
        return device;
    }

    boolean isOpen() {
        return open;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public SessionStamp stamp() {
        return stamp;
    }

    long lastActivity() {
        return lastActivity;
    }

    /** Something arrived from the device at {@code millis}: it is alive. */
    void touch(long millis) {
        lastActivity = millis;
    }

    void authenticate() {
        if (endpoint.auth() == null || endpoint.auth().getUsername() == null || endpoint.auth().getPassword() == null) {
            refuseCredentials();
            return;
        }
        String serial = endpoint.auth().getUsername();
        byte[] password = endpoint.auth().getPassword().getBytes(StandardCharsets.UTF_8);
        scope.directory.lookup(serial).onComplete(ar -> {
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
            if (scope.gate.draining()) {
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
        scope.metrics.connectRefused(reason);
        tryReject(endpoint, v5 ? v5Code : v311Code);
    }

    static void tryReject(MqttEndpoint endpoint, MqttConnectReturnCode code) {
        try {
            endpoint.reject(code);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // the client went away while we looked it up
        }
    }

    private void open(DeviceIdentity identity) {
        device = identity;
        publishes = new PublishHandler(scope, this, endpoint, v5, identity);
        endpoint.publishAutoAck(false);
        endpoint.publishHandler(publishes::onPublish);
        endpoint.publishReleaseHandler(endpoint::publishComplete);
        endpoint.pingHandler(v -> lastActivity = scope.clock.millis());
        lastActivity = scope.clock.millis();
        int maxKeepAlive = (int) Math.min(65535, scope.config.maxKeepAlive().toSeconds());
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
            scope.capped.add(this);
        }
        stamp = scope.sessions.stamp(lastActivity);
        DeviceSessions.Session previous = scope.sessions.claim(device.id(), this);
        if (previous != null) {
            previous.takeOver();
        }
        scope.activity.connected(device, lastActivity);
        accepted = true;
        SessionAnnouncements.announce(scope.vertx, device.id(), stamp);
        scope.bySerial.put(device.serial(), this);
        // Last: this delivers the packets that arrived behind the CONNECT, now that they can be handled.
        scope.reads.resume(endpoint);
    }

    /** The only place the slot is given back; runs once, however the connection ended. */
    private void onClosed() {
        if (closed) {
            return;
        }
        closed = true;
        open = false;
        scope.gate.release();
        if (publishes != null) {
            publishes.cancelResume();
        }
        scope.capped.remove(this);
        if (accepted) {
            scope.bySerial.remove(device.serial(), this);
            scope.sessions.release(device.id(), this);
            if (movedTo != null) {
                scope.activity.movedAway(device, movedTo.connectedAt());
            } else {
                scope.activity.disconnected(device, scope.clock.millis());
            }
        }
    }

    /** A newer connection of this device was accepted, maybe on another event loop: this one goes. */
    @Override
    public void takeOver() {
        scope.context.runOnContext(v -> {
            if (open) {
                LOG.debug("Connection taken over by a newer one [device: {}]", device.serial());
                scope.metrics.takenOver();
                disconnect(MqttDisconnectReasonCode.SESSION_TAKEN_OVER);
            }
        });
    }

    /**
     * A newer connection of this device was accepted on another node: this one goes, and its close is recorded as
     * of that connection's start, not later, so it never ends the connection the other node now holds.
     */
    @Override
    public void moveAway(SessionStamp newer) {
        scope.context.runOnContext(v -> {
            if (open) {
                LOG.debug("Connection taken over by a newer one on another node [device: {}, node: {}]",
                        device.serial(), newer.node());
                movedTo = newer;
                scope.metrics.takenOver();
                disconnect(MqttDisconnectReasonCode.SESSION_TAKEN_OVER);
            }
        });
    }

    private void onError(Throwable error) {
        String who = device == null ? "?" : device.serial();
        if (error instanceof TooLongFrameException
                || (error.getCause() instanceof TooLongFrameException)) {
            scope.metrics.rejected(Rejection.OVERSIZED, 1);
            LOG.debug("Oversized message, closing [device: {}]: {}", who, error.getMessage());
        } else {
            LOG.debug("Connection error [device: {}]: {}", who, error.toString());
        }
    }

    /** MQTT 5 gets a DISCONNECT with the reason; 3.1.1 has none, so the connection just closes. */
    void disconnect(MqttDisconnectReasonCode reason) {
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

    void closeQuietly() {
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
