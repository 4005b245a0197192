package org.vigil.ingest.mqtt;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
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
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * The MQTT endpoint devices publish to. Deploy several instances to use several event loops; they share
 * the port.
 *
 * <p>On CONNECT the username is the device serial and the password its secret, checked against the
 * cached registry. On PUBLISH to {@code v1/devices/{serial}/vitals} the handler only parses and validates,
 * then hands the readings to the {@link ReadingWriter}. A QoS 1 PUBACK (QoS 2 PUBREC) is sent only once
 * the readings are committed, and in the order the messages arrived.
 *
 * <p>Refusals: bad credentials get CONNACK 0x04 (3.1.1) or 0x86 (5); a registry outage 0x03 or 0x88. A
 * publish to another topic gets PUBACK 0x87 on MQTT 5 and closes the connection on 3.1.1, which has no
 * negative acknowledgement. A payload with no usable value is acknowledged (0x99 on MQTT 5) so the device
 * does not resend it forever; every rejected value is counted by reason.
 */
public final class MqttIngestVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(MqttIngestVerticle.class);
    private static final int MQTT_5 = 5;

    private final IngestConfig config;
    private final DeviceDirectory directory;
    private final ReadingWriter writer;
    private final PayloadParser parser;
    private final IngestMetrics metrics;
    private final Clock clock;
    private MqttServer server;

    public MqttIngestVerticle(IngestConfig config, DeviceDirectory directory, ReadingWriter writer,
            PayloadParser parser, IngestMetrics metrics, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.parser = Objects.requireNonNull(parser, "parser");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Future<?> start() {
        MqttServerOptions options = new MqttServerOptions()
                .setHost(config.mqttHost())
                .setPort(config.mqttPort())
                .setMaxMessageSize(config.maxMessageBytes())
                .setTimeoutOnConnect(30);
        server = MqttServer.create(vertx, options)
                .endpointHandler(this::onConnect)
                .exceptionHandler(e -> LOG.debug("MQTT connection error: {}", e.toString()));
        return server.listen();
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
        if (endpoint.auth() == null || endpoint.auth().getUsername() == null || endpoint.auth().getPassword() == null) {
            refuse(endpoint, v5, "bad_credentials");
            return;
        }
        String serial = endpoint.auth().getUsername();
        byte[] password = endpoint.auth().getPassword().getBytes(StandardCharsets.UTF_8);
        directory.lookup(serial).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("Registry unavailable, refusing connection [device: {}]: {}", serial, ar.cause().toString());
                metrics.connectRefused("unavailable");
                tryReject(endpoint, v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
                        : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
                return;
            }
            Optional<DeviceIdentity> device = ar.result();
            if (device.isEmpty() || !device.get().accepts(password)) {
                LOG.debug("Refused connection [device: {}, known: {}]", serial, device.isPresent());
                refuse(endpoint, v5, "bad_credentials");
                return;
            }
            new DeviceSession(endpoint, device.get(), v5, vertx.getOrCreateContext()).open();
        });
    }

    private void refuse(MqttEndpoint endpoint, boolean v5, String reason) {
        metrics.connectRefused(reason);
        tryReject(endpoint, v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                : MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD);
    }

    private static void tryReject(MqttEndpoint endpoint, MqttConnectReturnCode code) {
        try {
            endpoint.reject(code);
        } catch (IllegalStateException e) {
            // the client went away while we looked it up
        }
    }

    /** One connected device; confined to its connection's event loop. */
    private final class DeviceSession {
        private final MqttEndpoint endpoint;
        private final DeviceIdentity device;
        private final boolean v5;
        private final Context context;
        private final String topic;
        private final AckSequencer<MqttPubAckReasonCode> acks;
        private boolean open = true;

        DeviceSession(MqttEndpoint endpoint, DeviceIdentity device, boolean v5, Context context) {
            this.endpoint = endpoint;
            this.device = device;
            this.v5 = v5;
            this.context = context;
            this.topic = "v1/devices/" + device.serial() + "/vitals";
            this.acks = new AckSequencer<>(this::acknowledge);
        }

        void open() {
            endpoint.publishAutoAck(false);
            endpoint.publishHandler(this::onPublish);
            endpoint.publishReleaseHandler(endpoint::publishComplete);
            endpoint.closeHandler(v -> {
                open = false;
                metrics.disconnected();
            });
            try {
                endpoint.accept(false);
            } catch (IllegalStateException e) {
                return;
            }
            metrics.connected();
        }

        private void onPublish(MqttPublishMessage message) {
            MqttQoS qos = message.qosLevel();
            if (!topic.equals(message.topicName())) {
                metrics.rejected(Rejection.WRONG_TOPIC, 1);
                LOG.debug("Publish to a foreign topic refused [device: {}, topic: {}]", device.serial(), message.topicName());
                if (v5) {
                    if (qos != MqttQoS.AT_MOST_ONCE) {
                        endpoint.publishAcknowledge(message.messageId(), MqttPubAckReasonCode.NOT_AUTHORIZED,
                                MqttProperties.NO_PROPERTIES);
                    }
                } else {
                    endpoint.close();
                }
                return;
            }
            ParseResult parsed = parser.parse(message.payload().getBytes(), device.id(), device.patientId(), clock.millis());
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
                } else if (ticket != null) {
                    acks.complete(ticket, MqttPubAckReasonCode.SUCCESS);
                }
            }));
            if (!queued) {
                metrics.rejected(Rejection.OVERLOADED, 1);
                if (v5) {
                    endpoint.disconnect(MqttDisconnectReasonCode.SERVER_BUSY, MqttProperties.NO_PROPERTIES);
                } else {
                    closeQuietly();
                }
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

        private void closeQuietly() {
            if (open) {
                open = false;
                try {
                    endpoint.close();
                } catch (IllegalStateException ignored) {
                    // already closed
                }
            }
        }
    }
}
