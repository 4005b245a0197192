package org.vigil.ingest.app;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.sql.Connection;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.mqtt.MqttServerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.app.Role;
import org.vigil.common.app.RoleContext;
import org.vigil.common.bus.Addresses;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.config.TlsFiles;
import org.vigil.common.db.StorageMode;
import org.vigil.ingest.config.IngestConfig;
import org.vigil.ingest.http.VitalsApi;
import org.vigil.ingest.metrics.MicrometerIngestMetrics;
import org.vigil.ingest.mqtt.DeviceSessions;
import org.vigil.ingest.mqtt.IngestGate;
import org.vigil.ingest.mqtt.MqttIngestVerticle;
import org.vigil.ingest.mqtt.SessionAnnouncements;
import org.vigil.ingest.payload.PayloadParser;
import org.vigil.ingest.store.ReadingPartitions;
import org.vigil.ingest.store.ReadingQueries;
import org.vigil.ingest.store.ReadingWriter;
import org.vigil.registry.cache.DeviceDirectory;
import org.vigil.registry.config.RegistryConfig;
import org.vigil.registry.store.DeviceConnectionStore;
import org.vigil.registry.store.DeviceStore;
import org.vigil.ingest.mqtt.DeviceActivity;

/**
 * The {@code ingest} role: the MQTT listeners (plain and TLS), the reading writer, and the vitals query API.
 * Stopping it drains: nothing new is taken, everything queued is written and acknowledged, then the
 * connections close.
 */
public final class IngestRole implements Role {

    private static final Logger LOG = LoggerFactory.getLogger(IngestRole.class);
    private static final Duration PARTITION_CHECK = Duration.ofHours(6);
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(20);
    private static final int MAX_CLIENT_ID_LENGTH = 128;

    private final RoleContext context;
    private final IngestConfig config;
    private final ExecutorService registryLoads = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicReference<MqttIngestVerticle> firstVerticle = new AtomicReference<>();
    private final AtomicReference<MqttIngestVerticle> firstTlsVerticle = new AtomicReference<>();
    private final List<String> deployments = new ArrayList<>();
    private final IngestGate gate;
    private final DeviceSessions sessions;
    private DeviceDirectory directory;
    private DeviceActivity activity;
    private SessionAnnouncements announcements;
    private ReadingWriter writer;
    private long partitionTimer = -1;

    public IngestRole(RoleContext context) {
        this.context = context;
        this.config = IngestConfig.from(context.settings());
        this.gate = new IngestGate(config.maxConnections());
        this.sessions = new DeviceSessions(config.messagesPerSecond(), config.messageBurst(), config.throttleLimit(),
                config.nodeId(), context.clock());
    }

    @Override
    public String name() {
        return "ingest";
    }

    @Override
    public Future<Void> start() {
        Vertx vertx = context.vertx();
        MicrometerIngestMetrics metrics = new MicrometerIngestMetrics(context.meters(), gate::connections);
        DeviceStore devices = new DeviceStore(context.database().dataSource());
        activity = new DeviceActivity(vertx, new DeviceConnectionStore(context.database().dataSource()),
                config.deviceStateFlush(), config.nodeId(), context.clock());
        directory = new DeviceDirectory(vertx, devices,
                RegistryConfig.from(context.settings()), registryLoads, context.meters());
        writer = new ReadingWriter(context.database()::newDedicatedConnection, config.nodeId(), config.writerShards(),
                config.queueMessages(), config.maxBatchReadings(), config.writerLinger(), metrics,
                (stream, last, readings) -> {
                    ReadingBatch batch = new ReadingBatch(stream, last, readings);
                    vertx.eventBus().send(Addresses.READINGS_STORED, batch);
                    vertx.eventBus().publish(Addresses.READINGS_COMMITTED, batch);
                });
        metrics.writerQueue(writer::queued, config.writerShards() * config.queueMessages());
        PayloadParser parser = new PayloadParser(config.maxAge(), config.maxClockSkew(), config.maxReadingsPerMessage());
        announcements = new SessionAnnouncements(vertx, sessions);
        return ensurePartitions()
                .compose(v -> directory.start())
                // Before the listeners open: a session accepted on another node closes an older one here.
                .compose(v -> announcements.start())
                // Before the listeners open: the connections this node left behind are recorded as ended first.
                .compose(v -> activity.start())
                .compose(v -> {
                    writer.start();
                    Future<Void> listeners = Future.succeededFuture();
                    if (config.plainEnabled()) {
                        listeners = listeners.compose(x -> deployListener(listenerOptions(config.mqttPort()),
                                config.mqttPort(), metrics, parser, firstVerticle));
                    }
                    if (config.tls().isPresent()) {
                        TlsFiles.Listener tls = config.tls().get();
                        MqttServerOptions options = listenerOptions(tls.port()).setSsl(true).setKeyCertOptions(
                                new PemKeyCertOptions().setCertPath(tls.certPath().toString())
                                        .setKeyPath(tls.keyPath().toString()));
                        listeners = listeners.compose(x -> deployListener(options, tls.port(), metrics, parser,
                                firstTlsVerticle));
                    }
                    return listeners;
                })
                .map(v -> {
                    if (context.database().storageMode() == StorageMode.PARTITIONED) {
                        partitionTimer = vertx.setPeriodic(PARTITION_CHECK.toMillis(), t -> ensurePartitions());
                    }
                    LOG.info("MQTT endpoint listening [port: {}, tls port: {}, writers: {}]",
                            config.plainEnabled() ? mqttPort() : "off", config.tls().isPresent() ? mqttTlsPort() : "off",
                            config.writerShards());
                    return null;
                });
    }

    private MqttServerOptions listenerOptions(int port) {
        MqttServerOptions options = new MqttServerOptions()
                .setHost(config.mqttHost())
                .setPort(port)
                .setMaxMessageSize(config.maxMessageBytes())
                // 23 characters is only the minimum MQTT 3.1.1 servers must allow; devices often use longer ids.
                .setMaxClientIdLength(MAX_CLIENT_ID_LENGTH)
                .setTimeoutOnConnect(30);
        return options;
    }

    private Future<Void> deployListener(MqttServerOptions options, int port, MicrometerIngestMetrics metrics,
            PayloadParser parser, AtomicReference<MqttIngestVerticle> first) {
        // A port of 0 (tests) binds a random port, which Vert.x cannot share between instances.
        int instances = port == 0 ? 1 : config.mqttInstances();
        return context.vertx().deployVerticle(() -> {
            MqttIngestVerticle verticle = new MqttIngestVerticle(options, config, gate, sessions, directory, writer,
                    parser, metrics, activity, context.clock());
            first.compareAndSet(null, verticle);
            return verticle;
        }, new DeploymentOptions().setInstances(instances)).map(id -> {
            deployments.add(id);
            return null;
        });
    }

    /** Daily partitions for every day a reading may still arrive for, plus two days ahead. */
    private Future<Void> ensurePartitions() {
        if (context.database().storageMode() != StorageMode.PARTITIONED) {
            return Future.succeededFuture();
        }
        LocalDate today = LocalDate.ofInstant(context.clock().instant(), ZoneOffset.UTC);
        LocalDate first = today.minusDays(config.maxAge().toDays() + 1);
        LocalDate last = today.plusDays(2);
        return context.vertx().executeBlocking(() -> {
            try (Connection c = context.database().dataSource().getConnection()) {
                int created = ReadingPartitions.ensure(c, first, last);
                if (created > 0) {
                    LOG.info("Created {} daily reading partitions [{} .. {}]", created, first, last);
                }
            }
            return null;
        }, false);
    }

    /** The plain MQTT port actually bound, or -1 when it is off. */
    public int mqttPort() {
        MqttIngestVerticle verticle = firstVerticle.get();
        return verticle == null ? -1 : verticle.actualPort();
    }

    /** The MQTT over TLS port actually bound, or -1 when TLS is off. */
    public int mqttTlsPort() {
        MqttIngestVerticle verticle = firstTlsVerticle.get();
        return verticle == null ? -1 : verticle.actualPort();
    }

    @Override
    public void mount(Router api) {
        new VitalsApi(context.vertx(), new ReadingQueries(context.database().dataSource()),
                new org.vigil.common.audit.AuditLog(context.database().dataSource())).mount(api);
    }

    /**
     * Drains: refuse new connections and messages, write and acknowledge everything queued, then close the
     * listeners (which closes the connections). Acknowledgements are posted to the connections' event loops
     * before the close is, so they go out first.
     */
    @Override
    public Future<Void> stop() {
        Vertx vertx = context.vertx();
        gate.drain();
        if (partitionTimer >= 0) {
            vertx.cancelTimer(partitionTimer);
        }
        return vertx.executeBlocking(() -> {
                    if (writer != null) {
                        writer.close(SHUTDOWN_GRACE);
                    }
                    registryLoads.shutdown();
                    return null;
                }, false)
                .compose(v -> Future.join(deployments.stream().map(vertx::undeploy).toList()))
                .compose(v -> announcements == null ? Future.succeededFuture() : announcements.stop())
                .compose(v -> directory == null ? Future.succeededFuture() : directory.stop())
                .compose(v -> activity == null ? Future.succeededFuture() : activity.stop())
                .mapEmpty();
    }
}
