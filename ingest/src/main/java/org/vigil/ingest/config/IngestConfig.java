package org.vigil.ingest.config;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;
import org.vigil.common.config.TlsFiles;

/**
 * Ingest settings; every key is documented in docs/configuration.md with its default.
 *
 * @param mqttHost            interface the MQTT endpoint binds to ({@code VIGIL_MQTT_HOST})
 * @param mqttPort            MQTT port ({@code VIGIL_MQTT_PORT})
 * @param mqttInstances       event loops serving MQTT connections ({@code VIGIL_MQTT_INSTANCES})
 * @param maxMessageBytes     largest PUBLISH accepted; larger ones close the connection ({@code VIGIL_MQTT_MAX_MESSAGE_BYTES})
 * @param maxReadingsPerMessage values accepted from one message ({@code VIGIL_INGEST_MAX_READINGS_PER_MESSAGE})
 * @param maxAge              oldest measurement time accepted ({@code VIGIL_INGEST_MAX_AGE})
 * @param maxClockSkew        how far ahead of the server a device clock may run ({@code VIGIL_INGEST_MAX_CLOCK_SKEW})
 * @param writerShards        parallel writers, each with its own connection; a device always uses the same one,
 *                            so its readings stay in order ({@code VIGIL_INGEST_WRITERS})
 * @param maxBatchReadings    most readings written in one transaction ({@code VIGIL_INGEST_MAX_BATCH})
 * @param writerLinger        longest a writer waits for more messages before committing a small batch, when its
 *                            arrival rate says more are due ({@code VIGIL_INGEST_LINGER}; 0ms commits at once)
 * @param queueMessages       messages each writer buffers while the database is busy or away; when full,
 *                            new messages are refused unacknowledged ({@code VIGIL_INGEST_QUEUE})
 * @param maxConnections      device connections this node accepts ({@code VIGIL_MQTT_MAX_CONNECTIONS})
 * @param messagesPerSecond   sustained publish rate allowed per device, over all its connections to this node; a
 *                            faster device is slowed to it ({@code VIGIL_MQTT_MAX_MESSAGES_PER_SECOND})
 * @param messageBurst        publishes a device may send at once before the rate applies ({@code VIGIL_MQTT_MESSAGE_BURST})
 * @param throttleLimit       how long a device may go on being slowed, its allowance never once refilling, before
 *                            it is disconnected as abusive ({@code VIGIL_MQTT_THROTTLE_LIMIT})
 * @param maxKeepAlive        longest silence tolerated on a connection, whatever keep-alive the client asked for
 *                            ({@code VIGIL_MQTT_MAX_KEEPALIVE}); enforced as an idle timeout of 1.5 times this
 * @param plainEnabled        whether the unencrypted port is open ({@code VIGIL_MQTT_PLAIN}); false requires TLS
 * @param tls                 MQTT over TLS ({@code VIGIL_MQTT_TLS_PORT}), when a certificate
 *                            ({@code VIGIL_MQTT_TLS_CERT}) and key ({@code VIGIL_MQTT_TLS_KEY}) are configured
 * @param deviceStateFlush    how often devices' connection state and last-seen time are written to the registry
 *                            ({@code VIGIL_DEVICE_STATE_FLUSH})
 * @param nodeId              this node's name in the registry's connection state, stable across restarts and
 *                            unique among the nodes sharing a database ({@code VIGIL_NODE_ID}; the host name)
 */
public record IngestConfig(String mqttHost, int mqttPort, int mqttInstances, int maxMessageBytes,
        int maxReadingsPerMessage, Duration maxAge, Duration maxClockSkew, int writerShards, int maxBatchReadings,
        Duration writerLinger, int queueMessages, int maxConnections, int messagesPerSecond, int messageBurst, Duration throttleLimit,
        Duration maxKeepAlive, boolean plainEnabled, Optional<TlsFiles.Listener> tls, Duration deviceStateFlush, String nodeId) {

    public static final String MQTT_HOST = "VIGIL_MQTT_HOST";
    public static final String MQTT_PORT = "VIGIL_MQTT_PORT";
    public static final String MQTT_INSTANCES = "VIGIL_MQTT_INSTANCES";
    public static final String MAX_MESSAGE_BYTES = "VIGIL_MQTT_MAX_MESSAGE_BYTES";
    public static final String MAX_READINGS = "VIGIL_INGEST_MAX_READINGS_PER_MESSAGE";
    public static final String MAX_AGE = "VIGIL_INGEST_MAX_AGE";
    public static final String MAX_CLOCK_SKEW = "VIGIL_INGEST_MAX_CLOCK_SKEW";
    public static final String WRITERS = "VIGIL_INGEST_WRITERS";
    public static final String MAX_BATCH = "VIGIL_INGEST_MAX_BATCH";
    public static final String QUEUE = "VIGIL_INGEST_QUEUE";
    public static final String LINGER = "VIGIL_INGEST_LINGER";
    /** Short against the PUBACK latency a device sees (tens of milliseconds), long against a commit's cost. */
    static final Duration DEFAULT_LINGER = Duration.ofMillis(5);
    public static final String MAX_CONNECTIONS = "VIGIL_MQTT_MAX_CONNECTIONS";
    public static final String MESSAGES_PER_SECOND = "VIGIL_MQTT_MAX_MESSAGES_PER_SECOND";
    public static final String MESSAGE_BURST = "VIGIL_MQTT_MESSAGE_BURST";
    public static final String THROTTLE_LIMIT = "VIGIL_MQTT_THROTTLE_LIMIT";
    public static final String MAX_KEEPALIVE = "VIGIL_MQTT_MAX_KEEPALIVE";
    public static final String PLAIN = "VIGIL_MQTT_PLAIN";
    public static final String TLS_PORT = "VIGIL_MQTT_TLS_PORT";
    public static final String TLS_CERT = "VIGIL_MQTT_TLS_CERT";
    public static final String TLS_KEY = "VIGIL_MQTT_TLS_KEY";
    public static final String DEVICE_STATE_FLUSH = "VIGIL_DEVICE_STATE_FLUSH";
    public static final String NODE_ID = Settings.NODE_ID;
    private static final int MAX_NODE_ID_LENGTH = 100;

    public IngestConfig {
        if (maxAge.compareTo(Duration.ofDays(366)) > 0) {
            throw new ConfigException(MAX_AGE, "at most 366 days");
        }
        if (maxKeepAlive.getSeconds() < 1) {
            throw new ConfigException(MAX_KEEPALIVE, "at least one second");
        }
        if (throttleLimit.getSeconds() < 1) {
            throw new ConfigException(THROTTLE_LIMIT, "at least one second");
        }
        if (nodeId.isBlank() || nodeId.length() > MAX_NODE_ID_LENGTH) {
            throw new ConfigException(NODE_ID, "1 to " + MAX_NODE_ID_LENGTH + " characters");
        }
        if (deviceStateFlush.toMillis() < 100) {
            throw new ConfigException(DEVICE_STATE_FLUSH, "at least 100 ms");
        }
        if (!plainEnabled && tls.isEmpty()) {
            throw new ConfigException(PLAIN, "false needs TLS: set " + TLS_CERT + " and " + TLS_KEY);
        }
        tls.ifPresent(t -> {
            if (!Files.isReadable(t.certPath())) {
                throw new ConfigException(TLS_CERT, "cannot read " + t.certPath());
            }
            if (!Files.isReadable(t.keyPath())) {
                throw new ConfigException(TLS_KEY, "cannot read " + t.keyPath());
            }
        });
    }

    public static IngestConfig from(Settings settings) {
        int cores = Runtime.getRuntime().availableProcessors();
        return new IngestConfig(
                settings.string(MQTT_HOST, "0.0.0.0"),
                settings.integer(MQTT_PORT, 1883, 0, 65535),
                settings.integer(MQTT_INSTANCES, cores, 1, 256),
                settings.integer(MAX_MESSAGE_BYTES, 256 * 1024, 128, 16 * 1024 * 1024),
                settings.integer(MAX_READINGS, 5000, 1, 1_000_000),
                settings.duration(MAX_AGE, Duration.ofDays(30)),
                settings.duration(MAX_CLOCK_SKEW, Duration.ofMinutes(15)),
                settings.integer(WRITERS, 2, 1, 64),
                settings.integer(MAX_BATCH, 20_000, 1, 1_000_000),
                linger(settings),
                settings.integer(QUEUE, 20_000, 1, 10_000_000),
                settings.integer(MAX_CONNECTIONS, 100_000, 1, 10_000_000),
                settings.integer(MESSAGES_PER_SECOND, 50, 1, 1_000_000),
                settings.integer(MESSAGE_BURST, 200, 1, 10_000_000),
                settings.duration(THROTTLE_LIMIT, Duration.ofMinutes(10)),
                settings.duration(MAX_KEEPALIVE, Duration.ofMinutes(10)),
                settings.bool(PLAIN, true),
                tls(settings),
                settings.duration(DEVICE_STATE_FLUSH, Duration.ofSeconds(5)),
                settings.nodeId());
    }

    private static Duration linger(Settings settings) {
        Duration linger = settings.duration(LINGER, DEFAULT_LINGER);
        if (linger.isNegative() || linger.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new ConfigException(LINGER, "must be between 0 and 1s, was " + linger);
        }
        return linger;
    }

    private static Optional<TlsFiles.Listener> tls(Settings settings) {
        return TlsFiles.listener(settings, TLS_PORT, 8883, TLS_CERT, TLS_KEY, "TLS needs both a certificate and a key");
    }
}
