package org.vigil.ingest.mqtt;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.vigil.ingest.config.IngestConfig;
import org.vigil.ingest.metrics.IngestMetrics;
import org.vigil.ingest.payload.PayloadParser;
import org.vigil.ingest.store.ReadingWriter;
import org.vigil.registry.cache.DeviceDirectory;

/**
 * What the device sessions of one {@link MqttIngestVerticle} instance share: the node's collaborators and the
 * verticle's own bookkeeping of its sessions. Built once per verticle at start; the two collections are
 * confined to that verticle's event loop, like every session that uses them.
 */
final class SessionScope {

    final Vertx vertx;
    final Context context;
    final IngestConfig config;
    final IngestGate gate;
    final DeviceSessions sessions;
    final DeviceDirectory directory;
    final ReadingWriter writer;
    final PayloadParser parser;
    final IngestMetrics metrics;
    final DeviceActivity activity;
    final Clock clock;
    final EndpointReads reads = new EndpointReads();
    /** Sessions held to the maximum keep-alive by the verticle's sweep rather than by Vert.x. */
    final Set<DeviceSession> capped = new HashSet<>();
    /** This verticle's connected sessions by serial, to close them when a device's credentials change. */
    final Map<String, DeviceSession> bySerial = new HashMap<>();

    SessionScope(Vertx vertx, Context context, IngestConfig config, IngestGate gate, DeviceSessions sessions,
            DeviceDirectory directory, ReadingWriter writer, PayloadParser parser, IngestMetrics metrics,
            DeviceActivity activity, Clock clock) {
        this.vertx = vertx;
        this.context = context;
        this.config = config;
        this.gate = gate;
        this.sessions = sessions;
        this.directory = directory;
        this.writer = writer;
        this.parser = parser;
        this.metrics = metrics;
        this.activity = activity;
        this.clock = clock;
    }
}
