package org.vigil.ingest.config;

import java.time.Duration;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;

/**
 * Ingest settings; every key is documented in README with its default.
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
 * @param queueMessages       messages each writer buffers while the database is busy or away; when full,
 *                            new messages are refused unacknowledged ({@code VIGIL_INGEST_QUEUE})
 */
public record IngestConfig(String mqttHost, int mqttPort, int mqttInstances, int maxMessageBytes,
        int maxReadingsPerMessage, Duration maxAge, Duration maxClockSkew, int writerShards, int maxBatchReadings,
        int queueMessages) {

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

    public IngestConfig {
        if (maxAge.compareTo(Duration.ofDays(366)) > 0) {
            throw new ConfigException(MAX_AGE, "at most 366 days");
        }
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
                settings.integer(QUEUE, 20_000, 1, 10_000_000));
    }
}
