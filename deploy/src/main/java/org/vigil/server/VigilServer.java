package org.vigil.server;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.Route;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.app.AlertingRole;
import org.vigil.alerting.store.AlertLookups;
import org.vigil.chronic.app.ChronicRole;
import org.vigil.chronic.config.ChronicConfig;
import org.vigil.cluster.app.ClusterRole;
import org.vigil.cluster.config.ClusterConfig;
import org.vigil.common.app.Role;
import org.vigil.common.app.RoleContext;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.bus.PolledRecords;
import org.vigil.common.bus.PolledRecordsCodec;
import org.vigil.common.bus.ReadingBatchCodec;
import org.vigil.common.config.Settings;
import org.vigil.common.db.Database;
import org.vigil.ingest.app.IngestRole;
import org.vigil.registry.app.RegistryRole;
import org.vigil.registry.auth.AccessMetrics;
import org.vigil.registry.auth.AccessRefusals;
import org.vigil.registry.auth.ConsoleSessions;
import org.vigil.registry.auth.DoctorTokens;
import org.vigil.registry.auth.Passwords;
import org.vigil.registry.config.RegistryConfig;
import org.vigil.registry.store.AccountStore;
import org.vigil.registry.store.DoctorAccessStore;
import org.vigil.registry.store.RefusalTargets;
import org.vigil.alerting.config.AlertingConfig;
import org.vigil.alerting.config.CarePlans;
import org.vigil.server.config.ServerConfig;
import org.vigil.server.http.HttpApiVerticle;

/**
 * A running Vigil server: the database, a Vert.x instance, the roles asked for, and the HTTP front.
 * {@link #start} returns once everything serves; {@link #close} stops accepting, writes what is
 * buffered, and releases everything, in that order.
 */
public final class VigilServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VigilServer.class);
    private static final long START_TIMEOUT_SECONDS = 120;
    private static final Duration DATABASE_CHECK = Duration.ofSeconds(10);
    static final String EMBEDDED_RESTARTS = "vigil.db.embedded.restarts";

    private final Database database;
    private final Vertx vertx;
    private final List<Role> roles;
    private final HttpApiVerticle http;
    private final String httpDeployment;
    private final String adminToken;
    private final Path adminTokenFile;

    private final ExecutorService tokenLookups;
    private final DoctorTokens doctorTokens;
    private final AccessRefusals refusals;

    private VigilServer(Database database, Vertx vertx, List<Role> roles, HttpApiVerticle http, String httpDeployment,
            String adminToken, Path adminTokenFile, ExecutorService tokenLookups, DoctorTokens doctorTokens,
            AccessRefusals refusals) {
        this.tokenLookups = tokenLookups;
        this.doctorTokens = doctorTokens;
        this.refusals = refusals;
        this.database = database;
        this.vertx = vertx;
        this.roles = roles;
        this.http = http;
        this.httpDeployment = httpDeployment;
        this.adminToken = adminToken;
        this.adminTokenFile = adminTokenFile;
    }

    /** Starts a server from the given settings; blocks until it serves or fails to start. */
    public static VigilServer start(Settings settings, Clock clock) throws Exception {
        ServerConfig config = ServerConfig.from(settings);
        Path tokenFile = null;
        String token;
        if (config.adminToken().isPresent()) {
            token = config.adminToken().get();
        } else {
            tokenFile = config.database().dataDir().resolve(AdminTokens.FILE).toAbsolutePath();
            token = AdminTokens.readOrCreate(config.database().dataDir(), new SecureRandom());
        }

        Database database = Database.open(config.database());
        // epoll on Linux (NIO elsewhere): fewer system calls and copies per message.
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        if (vertx.isNativeTransportEnabled()) {
            LOG.info("Network transport: native");
        } else {
            LOG.info("Network transport: NIO ({})", String.valueOf(vertx.unavailableNativeTransportCause()));
        }
        // Token look-ups are short JDBC reads: a virtual thread each, off the event loops.
        ExecutorService tokenLookups = Executors.newVirtualThreadPerTaskExecutor();
        List<Role> started = new ArrayList<>();
        try {
            vertx.eventBus().registerDefaultCodec(ReadingBatch.class, new ReadingBatchCodec());
            vertx.eventBus().registerDefaultCodec(PolledRecords.class, new PolledRecordsCodec());
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(meters);
            new JvmGcMetrics().bindTo(meters);
            new JvmThreadMetrics().bindTo(meters);
            new ProcessorMetrics().bindTo(meters);
            // Restarts show as a reset uptime; open files against the limit bound the device connections a node holds.
            new UptimeMetrics().bindTo(meters);
            new FileDescriptorMetrics().bindTo(meters);
            // The pool's own meters (hikaricp_connections_active, _pending, _timeout_total, acquire and usage times).
            database.dataSource().unwrap(HikariDataSource.class).setMetricRegistry(meters);
            await(vertx.deployVerticle(new DatabaseProbe(database.dataSource(), DATABASE_CHECK, meters)));
            FunctionCounter.builder(EMBEDDED_RESTARTS, database, Database::embeddedRestarts)
                    .description("times the embedded PostgreSQL was found stopped and restarted").register(meters);
            RoleContext context = new RoleContext(vertx, settings, database, meters, clock);

            // Construct every role first, so a configuration error stops start-up before anything listens.
            List<Role> roles = new ArrayList<>();
            // Cluster mode starts first and stops last, so it carries everything the other roles announce.
            Optional<ClusterConfig> cluster = ClusterConfig.from(settings);
            cluster.ifPresent(c -> roles.add(new ClusterRole(context, c, config.roles().contains("alerting"))));
            for (String name : ServerConfig.ALL_ROLES) {
                if (name.equals("ingest") && cluster.isPresent() && !config.roles().contains("alerting")) {
                    // A cluster node that stores readings but evaluates none still hands them to the evaluators.
                    roles.add(new AlertingRole(context, AlertingRole.Mode.HANDOFF_ONLY));
                }
                if (config.roles().contains(name)) {
                    roles.add(switch (name) {
                        case "registry" -> new RegistryRole(context,
                                new CarePlans(AlertingConfig.from(settings).clinicalRules().rules()));
                        case "alerting" -> new AlertingRole(context,
                                cluster.isPresent() ? AlertingRole.Mode.PARTITIONED : AlertingRole.Mode.LOCAL);
                        case "chronic" -> new ChronicRole(context);
                        case "ingest" -> new IngestRole(context);
                        default -> throw new IllegalStateException(name);
                    });
                }
            }
            for (Role role : roles) {
                await(role.start());
                started.add(role);
            }
            RegistryConfig registryConfig = RegistryConfig.from(settings);
            DoctorTokens doctorTokens = new DoctorTokens(vertx, new DoctorAccessStore(database.dataSource()),
                    registryConfig, clock, tokenLookups, meters);
            await(doctorTokens.start());
            AccessRefusals refusals = new AccessRefusals(vertx, new AuditLog(database.dataSource()),
                    new RefusalTargets(database.dataSource(), AlertLookups.REFUSAL_TARGETS), AccessMetrics.micrometer(meters), clock,
                    registryConfig.refusalAuditWindow());
            refusals.start();
            DataSource ds = database.dataSource();
            ConsoleSessions sessions = new ConsoleSessions(vertx, new AccountStore(ds), new DoctorAccessStore(ds),
                    doctorTokens, new Passwords(new SecureRandom()), registryConfig.console(), clock, new SecureRandom());
            HttpApiVerticle http = new HttpApiVerticle(config, token, doctorTokens, sessions, refusals, roles, database,
                    meters, clock, ChronicConfig.from(settings).control().zone());
            String httpDeployment = await(vertx.deployVerticle(http));
            VigilServer server = new VigilServer(database, vertx, roles, http, httpDeployment, token, tokenFile,
                    tokenLookups, doctorTokens, refusals);
            server.logReady();
            return server;
        } catch (Exception | Error e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).stop();
            }
            vertx.close();
            tokenLookups.shutdown();
            database.close();
            throw e;
        }
    }

    private void logReady() {
        LOG.info("Vigil ready [http: {}, https: {}, mqtt: {}, mqtt tls: {}, roles: {}, storage: {}]", port(httpPort()),
                port(httpsPort()), port(mqttPort()), port(mqttTlsPort()), roles.stream().map(Role::name).toList(),
                database.storageMode());
        if (adminTokenFile != null) {
            LOG.info("Admin token (generated for this data directory) is in {}", adminTokenFile);
        }
    }

    private static Object port(int port) {
        return port < 0 ? "off" : port;
    }

    /** The bound plain HTTP port, or -1 when it is off ({@code VIGIL_HTTP_PLAIN=false}). */
    public int httpPort() {
        return http.actualPort();
    }

    /** The bound HTTPS port, or -1 when HTTPS is not configured. */
    public int httpsPort() {
        return http.actualTlsPort();
    }

    /** The bound plain MQTT port, or -1 when this process does not run ingest or the port is off. */
    public int mqttPort() {
        return ingest().map(IngestRole::mqttPort).orElse(-1);
    }

    /** The bound MQTT over TLS port, or -1 when this process does not run ingest or TLS is off. */
    public int mqttTlsPort() {
        return ingest().map(IngestRole::mqttTlsPort).orElse(-1);
    }

    private java.util.Optional<IngestRole> ingest() {
        return roles.stream().filter(r -> r instanceof IngestRole).map(r -> (IngestRole) r).findFirst();
    }

    /** The routes under {@code /api/v1}, paths relative to it; see {@link HttpApiVerticle#apiRoutes()}. */
    List<Route> apiRoutes() {
        return http.apiRoutes();
    }

    /** The routes outside {@code /api/v1}; see {@link HttpApiVerticle#rootRoutes()}. */
    List<Route> rootRoutes() {
        return http.rootRoutes();
    }

    public String adminToken() {
        return adminToken;
    }

    public Database database() {
        return database;
    }

    /** Stops taking connections, writes every buffered reading, then releases Vert.x and the database. */
    @Override
    public void close() {
        try {
            await(vertx.undeploy(httpDeployment));
        } catch (Exception e) {
            LOG.warn("HTTP front did not stop cleanly", e);
        }
        try {
            // The refusals summed since the last window reach the audit log before the database closes.
            await(refusals.stop());
            await(doctorTokens.stop());
        } catch (Exception e) {
            LOG.warn("Access records did not stop cleanly", e);
        }
        for (int i = roles.size() - 1; i >= 0; i--) {
            try {
                await(roles.get(i).stop());
            } catch (Exception e) {
                LOG.warn("Role {} did not stop cleanly", roles.get(i).name(), e);
            }
        }
        try {
            await(vertx.close());
        } catch (Exception e) {
            LOG.warn("Vert.x did not close cleanly", e);
        }
        tokenLookups.shutdown();
        database.close();
        LOG.info("Vigil stopped");
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
