package org.vigil.ingest.app;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.sql.Connection;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.app.Role;
import org.vigil.common.app.RoleContext;
import org.vigil.common.bus.Addresses;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.db.StorageMode;
import org.vigil.ingest.config.IngestConfig;
import org.vigil.ingest.http.VitalsApi;
import org.vigil.ingest.metrics.MicrometerIngestMetrics;
import org.vigil.ingest.mqtt.MqttIngestVerticle;
import org.vigil.ingest.payload.PayloadParser;
import org.vigil.ingest.store.ReadingPartitions;
import org.vigil.ingest.store.ReadingQueries;
import org.vigil.ingest.store.ReadingWriter;
import org.vigil.registry.cache.DeviceDirectory;
import org.vigil.registry.config.RegistryConfig;
import org.vigil.registry.store.RegistryStore;

/**
 * The {@code ingest} role: the MQTT endpoint, the reading writer, and the vitals query API. Stopping it
 * closes the MQTT port first and then writes every buffered reading, so nothing accepted is dropped.
 */
public final class IngestRole implements Role {

    private static final Logger LOG = LoggerFactory.getLogger(IngestRole.class);
    private static final Duration PARTITION_CHECK = Duration.ofHours(6);
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(20);

    private final RoleContext context;
    private final IngestConfig config;
    private final ExecutorService registryLoads = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicReference<MqttIngestVerticle> firstVerticle = new AtomicReference<>();
    private DeviceDirectory directory;
    private ReadingWriter writer;
    private String deploymentId;
    private long partitionTimer = -1;

    public IngestRole(RoleContext context) {
        this.context = context;
        this.config = IngestConfig.from(context.settings());
    }

    @Override
    public String name() {
        return "ingest";
    }

    @Override
    public Future<Void> start() {
        Vertx vertx = context.vertx();
        MicrometerIngestMetrics metrics = new MicrometerIngestMetrics(context.meters());
        directory = new DeviceDirectory(vertx, new RegistryStore(context.database().dataSource()),
                RegistryConfig.from(context.settings()), registryLoads, context.meters());
        writer = new ReadingWriter(context.database()::newDedicatedConnection, config.writerShards(),
                config.queueMessages(), config.maxBatchReadings(), metrics,
                readings -> vertx.eventBus().send(Addresses.READINGS_STORED, new ReadingBatch(readings)));
        PayloadParser parser = new PayloadParser(config.maxAge(), config.maxClockSkew(), config.maxReadingsPerMessage());
        // A port of 0 (tests) binds a random port, which Vert.x cannot share between instances.
        int instances = config.mqttPort() == 0 ? 1 : config.mqttInstances();
        return ensurePartitions()
                .compose(v -> directory.start())
                .compose(v -> {
                    writer.start();
                    return vertx.deployVerticle(() -> {
                        MqttIngestVerticle verticle = new MqttIngestVerticle(config, directory, writer, parser, metrics,
                                context.clock());
                        firstVerticle.compareAndSet(null, verticle);
                        return verticle;
                    }, new DeploymentOptions().setInstances(instances));
                })
                .map(id -> {
                    deploymentId = id;
                    if (context.database().storageMode() == StorageMode.PARTITIONED) {
                        partitionTimer = vertx.setPeriodic(PARTITION_CHECK.toMillis(), t -> ensurePartitions());
                    }
                    LOG.info("MQTT endpoint listening [port: {}, event loops: {}, writers: {}]", mqttPort(), instances,
                            config.writerShards());
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

    /** The MQTT port actually bound. */
    public int mqttPort() {
        MqttIngestVerticle verticle = firstVerticle.get();
        return verticle == null ? -1 : verticle.actualPort();
    }

    @Override
    public void mount(Router api) {
        new VitalsApi(context.vertx(), new ReadingQueries(context.database().dataSource())).mount(api);
    }

    @Override
    public Future<Void> stop() {
        Vertx vertx = context.vertx();
        if (partitionTimer >= 0) {
            vertx.cancelTimer(partitionTimer);
        }
        Future<Void> undeployed = deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
        return undeployed
                .compose(v -> vertx.executeBlocking(() -> {
                    if (writer != null) {
                        writer.close(SHUTDOWN_GRACE);
                    }
                    registryLoads.shutdown();
                    return null;
                }, false))
                .compose(v -> directory == null ? Future.succeededFuture() : directory.stop())
                .mapEmpty();
    }
}
