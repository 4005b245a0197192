package org.vigil.ingest.mqtt;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.model.Reading;
import org.vigil.ingest.payload.ParseResult;
import org.vigil.ingest.payload.Rejection;
import org.vigil.registry.model.DeviceIdentity;

/**
 * The PUBLISH packets of one accepted {@link DeviceSession}: checks the topic, applies the device's rate,
 * parses and validates, hands the readings to the writer and acknowledges each message once durable, in
 * arrival order ({@link AckSequencer}).
 *
 * <p>Confined to the session's event loop like the session itself. The writer tells of durability on its own
 * thread; that completion hops back onto this loop before it touches the acknowledgement queue or the
 * connection. Nothing is copied per message beyond the parser's one pass over the payload: the parsed list
 * goes to the writer as it is.
 */
final class PublishHandler {

    private static final Logger LOG = LoggerFactory.getLogger(PublishHandler.class);

    private final SessionScope scope;
    private final DeviceSession session;
    private final MqttEndpoint endpoint;
    private final boolean v5;
    private final DeviceIdentity device;
    private final String topic;
    private final RateLimiter rate;
    private final AckSequencer<MqttPubAckReasonCode> acks = new AckSequencer<>(this::acknowledge);
    private long lastSeenReported;
    private long resumeTimer = -1;

    PublishHandler(SessionScope scope, DeviceSession session, MqttEndpoint endpoint, boolean v5, DeviceIdentity device) {
        this.scope = scope;
        this.session = session;
        this.endpoint = endpoint;
        this.v5 = v5;
        this.device = device;
        this.topic = "v1/devices/" + device.serial() + "/vitals";
        this.rate = scope.sessions.limiter(device.id());
    }

    void onPublish(MqttPublishMessage message) {
        if (!session.isOpen()) {
            return;
        }
        long arrived = System.nanoTime();
        scope.metrics.messageReceived();
        long now = scope.clock.millis();
        session.touch(now);
        // Last-seen is kept to the second: one shared-map update per device and second, not per message.
        if (now - lastSeenReported >= 1_000) {
            lastSeenReported = now;
            scope.activity.seen(device.id(), now);
        }
        MqttQoS qos = message.qosLevel();
        if (scope.gate.draining()) {
            // Not acknowledged: the device keeps the message and resends it to whichever node it reaches next.
            scope.metrics.rejected(Rejection.SHUTTING_DOWN, 1);
            return;
        }
        long wait = rate.take(now);
        if (wait == RateLimiter.ABUSIVE) {
            scope.metrics.rejected(Rejection.RATE_LIMITED, 1);
            LOG.info("Over its message rate for longer than {}, disconnecting [device: {}]",
                    scope.config.throttleLimit(), device.serial());
            session.disconnect(MqttDisconnectReasonCode.MESSAGE_RATE_TOO_HIGH);
            return;
        }
        handle(message, qos, arrived);
        if (wait > 0 && session.isOpen()) {
            slowDown(wait);
        }
    }

    /**
     * Stops reading the connection for {@code millis}: the device's next packets wait in its socket, and it
     * stops sending once its in-flight window or the TCP window is full. Nothing is lost or refused.
     */
    private void slowDown(long millis) {
        scope.metrics.throttled();
        scope.reads.pause(endpoint);
        cancelResume();
        resumeTimer = scope.vertx.setTimer(millis, t -> {
            resumeTimer = -1;
            if (!session.isClosed()) {
                scope.reads.resume(endpoint);
            }
        });
    }

    /** Drops a pending resume of reading; the connection has closed. */
    void cancelResume() {
        if (resumeTimer >= 0) {
            scope.vertx.cancelTimer(resumeTimer);
        }
    }

    /** {@code arrived}: when the message was read, in {@link System#nanoTime()}, for the time to storage. */
    private void handle(MqttPublishMessage message, MqttQoS qos, long arrived) {
        if (!topic.equals(message.topicName())) {
            scope.metrics.rejected(Rejection.WRONG_TOPIC, 1);
            LOG.debug("Publish to a foreign topic refused [device: {}, topic: {}]", device.serial(), message.topicName());
            if (!v5) {
                session.closeQuietly();
            } else if (qos != MqttQoS.AT_MOST_ONCE) {
                acks.complete(acks.enqueue(message.messageId(), qos == MqttQoS.EXACTLY_ONCE),
                        MqttPubAckReasonCode.NOT_AUTHORIZED);
            }
            return;
        }
        ParseResult parsed = scope.parser.parse(message.payload().getBytes(), device.id(), device::patientAt,
                scope.clock.millis());
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
        boolean queued = scope.writer.submit(device.id(), readings, failure -> scope.context.runOnContext(v -> {
            if (failure != null) {
                // Not durable: never acknowledge. Closing makes the device resend after reconnecting.
                LOG.debug("Readings not stored, closing [device: {}]: {}", device.serial(), failure.toString());
                session.closeQuietly();
                return;
            }
            scope.metrics.messageStored(System.nanoTime() - arrived);
            if (ticket != null) {
                acks.complete(ticket, MqttPubAckReasonCode.SUCCESS);
            }
        }));
        if (!queued) {
            scope.metrics.rejected(Rejection.OVERLOADED, 1);
            session.disconnect(MqttDisconnectReasonCode.SERVER_BUSY);
        }
    }

    private void countRejections(ParseResult parsed) {
        if (parsed.rejectedTotal() == 0) {
            return;
        }
        for (Rejection r : Rejection.values()) {
            int n = parsed.rejected(r);
            if (n > 0) {
                scope.metrics.rejected(r, n);
            }
        }
        LOG.debug("Values rejected [device: {}]: {}", device.serial(), parsed);
    }

    private void acknowledge(int messageId, boolean exactlyOnce, MqttPubAckReasonCode outcome) {
        if (!session.isOpen()) {
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
}
