package org.vigil.server.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.app.Role;
import org.vigil.common.config.TlsFiles;
import org.vigil.common.db.Database;
import org.vigil.common.http.ApiError;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.RequestText;
import org.vigil.common.http.Principal;
import org.vigil.registry.auth.AccessRefusals;
import org.vigil.registry.auth.ConsoleSessions;
import org.vigil.registry.auth.DoctorTokens;
import org.vigil.registry.auth.Refusal;
import org.vigil.server.config.ServerConfig;

/**
 * The HTTP front: {@code /health}, {@code /metrics}, the doctor's console at {@code /}, and {@code /api/v1} with the
 * routes of every role this process runs, behind bearer-token authentication (the admin token or a doctor's own) or
 * the console's session cookie. Client errors become
 * the JSON error shape; refusals (401, 403, and a doctor's 404 for a record outside her scope) are counted and
 * audited; a failure because the database is unavailable for now is 503 with {@code Retry-After} ({@link Unavailable});
 * anything else is logged and answered 500 without internals. {@code /api/v1/openapi.yaml} describes the
 * API (OpenAPI 3); {@code OpenApiIT} keeps that description true to the routes mounted here.
 *
 * <p>The same routes are served on plain HTTP ({@code VIGIL_HTTP_PORT}, unless {@code VIGIL_HTTP_PLAIN=false}) and,
 * when a certificate and key are configured, on HTTPS ({@code VIGIL_HTTP_TLS_PORT}), each a server of its own.
 */
public final class HttpApiVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApiVerticle.class);
    private static final long MAX_BODY_BYTES = 1024 * 1024;
    /** The OpenAPI description, a classpath resource next to this class. */
    private static final String OPENAPI_RESOURCE = "openapi.yaml";

    private final ServerConfig config;
    private final String adminToken;
    private final List<Role> roles;
    private final Database database;
    private final PrometheusMeterRegistry prometheus;
    private final HttpMetrics metrics;
    private final DoctorTokens doctorTokens;
    private final AccessRefusals refusals;
    private final ConsoleSessions sessions;
    /** Where the patients' calendar days begin: the console's "today" and periods follow it. */
    private final ZoneId clinicalZone;
    private final Clock clock;
    private final ConsoleAssets console;
    private final String openApi;
    private HttpServer plain;
    private HttpServer tls;
    // Built on the event loop in start(), read by whoever checks the API description against them.
    private volatile Router root;
    private volatile Router api;

    public HttpApiVerticle(ServerConfig config, String adminToken, DoctorTokens doctorTokens, ConsoleSessions sessions,
            AccessRefusals refusals, List<Role> roles, Database database, PrometheusMeterRegistry prometheus,
            Clock clock, ZoneId clinicalZone) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.clinicalZone = Objects.requireNonNull(clinicalZone, "clinicalZone");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.console = new ConsoleAssets();
        this.config = Objects.requireNonNull(config, "config");
        this.doctorTokens = Objects.requireNonNull(doctorTokens, "doctorTokens");
        this.refusals = Objects.requireNonNull(refusals, "refusals");
        this.adminToken = Objects.requireNonNull(adminToken, "adminToken");
        this.roles = List.copyOf(roles);
        this.database = Objects.requireNonNull(database, "database");
        this.prometheus = Objects.requireNonNull(prometheus, "prometheus");
        this.metrics = new HttpMetrics(prometheus);
        // Read here, on the thread that builds the server, so no event loop ever waits on the classpath.
        this.openApi = readOpenApi();
    }

    @Override
    public Future<?> start() {
        root = Router.router(vertx);
        root.route().handler(metrics.handler());
        root.get("/health").handler(this::health);
        root.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(prometheus.scrape()));

        api = Router.router(vertx);
        api.route().handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES).setHandleFileUploads(false));
        // Served before authentication: it describes the API and holds no data, and clients and tools need it
        // before they have a token.
        api.get("/openapi.yaml").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/yaml")
                .end(openApi));
        SessionApi session = new SessionApi(sessions, clock, clinicalZone);
        session.mountOpen(api);
        api.route().handler(new BearerAuth(adminToken, doctorTokens, sessions, refusals));
        // Text the database cannot store never reaches a handler; bodies are checked as each is read (Json.body).
        api.route().handler(RequestText::checkQuery);
        session.mountAuthenticated(api);
        for (Role role : roles) {
            role.mount(api);
        }
        api.route().handler(ctx -> ApiError.send(ctx, 404, "not_found", "no such endpoint: "
                + ctx.request().method() + " " + ctx.request().path(), null));
        api.route().failureHandler(this::failure);
        root.route("/api/v1/*").subRouter(api);
        console.mount(root);
        root.route().handler(ctx -> ApiError.send(ctx, 404, "not_found", "no such endpoint", null));
        root.route().failureHandler(this::failure);
        metrics.addRoutes("", root.getRoutes());
        metrics.addRoutes("/api/v1", api.getRoutes());

        List<Future<HttpServer>> listening = new ArrayList<>();
        if (config.httpPlain()) {
            // HTTP/1.1 only on the plain port: an offered clear-text upgrade to HTTP/2 (the JDK client offers it by
            // default) was seen to corrupt large answers such as /metrics, and nothing here needs it.
            plain = vertx.createHttpServer(new HttpServerOptions().setHost(config.httpHost()).setPort(config.httpPort())
                            .setHttp2ClearTextEnabled(false))
                    .requestHandler(root);
            listening.add(plain.listen());
        }
        if (config.httpTls().isPresent()) {
            TlsFiles.Listener https = config.httpTls().get();
            // Loaded as the MQTT TLS listener loads its files; ServerConfig has checked them already.
            tls = vertx.createHttpServer(new HttpServerOptions().setHost(config.httpHost()).setPort(https.port())
                            .setSsl(true)
                            .setKeyCertOptions(new PemKeyCertOptions().setCertPath(https.certPath().toString())
                                    .setKeyPath(https.keyPath().toString())))
                    .requestHandler(root);
            listening.add(tls.listen());
        }
        return Future.all(listening);
    }

    /** The plain HTTP port actually bound, or -1 when it is off. */
    public int actualPort() {
        return plain == null ? -1 : plain.actualPort();
    }

    /** The HTTPS port actually bound, or -1 when HTTPS is off. */
    public int actualTlsPort() {
        return tls == null ? -1 : tls.actualPort();
    }

    /** The client's address, for the audit of refused requests. */
    static String remote(RoutingContext ctx) {
        return ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
    }

    /** The routes under {@code /api/v1}, paths relative to it, for checking the API description against them. */
    public List<Route> apiRoutes() {
        return api.getRoutes();
    }

    /** The routes outside {@code /api/v1} ({@code /health}, {@code /metrics}, the mount of the API and fallbacks). */
    public List<Route> rootRoutes() {
        return root.getRoutes();
    }

    private static String readOpenApi() {
        try (InputStream in = HttpApiVerticle.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the API description " + OPENAPI_RESOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the API description " + OPENAPI_RESOURCE, e);
        }
    }

    private void failure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure instanceof ApiException e) {
            ApiError.send(ctx, e.status(), e.error(), e.getMessage(), e.field());
            recordRefusal(ctx, e.status());
            return;
        }
        int status = ctx.statusCode();
        if (status == 413) {
            ApiError.send(ctx, 413, "too_large", "request body exceeds " + MAX_BODY_BYTES + " bytes", null);
            return;
        }
        if (status >= 400 && status < 500) {
            ApiError.send(ctx, status, "invalid_request", "the request could not be processed", null);
            return;
        }
        if (Unavailable.answered(ctx)) {
            return;
        }
        LOG.warn("Request failed [{} {}]", ctx.request().method(), ctx.request().path(), failure);
        if (!ctx.response().headWritten()) {
            ApiError.send(ctx, 500, "server_error", "the server could not complete the request", null);
        }
    }

    /**
     * A 403 is a refusal; a doctor's 404 is one when the record exists outside her scope, which is asked after the
     * answer was sent.
     */
    private void recordRefusal(RoutingContext ctx, int status) {
        Principal who = Principal.orNull(ctx);
        if (who == null || (status != 403 && status != 404)) {
            return;
        }
        String method = ctx.request().method().name();
        String path = ctx.request().path();
        if (status == 403) {
            refusals.refused(new Refusal(Refusal.Reason.FORBIDDEN, who.name(), "endpoint", null, null, remote(ctx),
                    method + " " + path));
        } else {
            refusals.notFound(who, method, path, remote(ctx));
        }
    }

    private void health(RoutingContext ctx) {
        // While the embedded database restarts, say so at once rather than after a connection attempt times out.
        Future<Boolean> check = database.embeddedRestarting() ? Future.succeededFuture(false)
                : vertx.executeBlocking(() -> {
                    try (Connection c = database.dataSource().getConnection()) {
                        return c.isValid(2);
                    }
                }, false);
        check.onComplete(ar -> {
            boolean dbUp = ar.succeeded() && ar.result();
            JsonObject waiting = new JsonObject();
            JsonObject degraded = new JsonObject();
            for (Role role : roles) {
                String why = role.notReady();
                if (why != null) {
                    waiting.put(role.name(), why);
                }
                String partly = role.degraded();
                if (partly != null) {
                    degraded.put(role.name(), partly);
                }
            }
            boolean up = dbUp && waiting.isEmpty();
            JsonObject body = new JsonObject()
                    .put("status", up ? "up" : "down")
                    .put("database", dbUp ? "up" : database.embeddedRestarting() ? "restarting" : "down")
                    .put("storage", database.storageMode().name().toLowerCase())
                    .put("roles", new JsonArray(roles.stream().map(Role::name).toList()));
            if (!waiting.isEmpty()) {
                body.put("waiting", waiting);
            }
            if (!degraded.isEmpty()) {
                body.put("degraded", degraded);
            }
            ctx.response().setStatusCode(up ? 200 : 503)
                    .putHeader("Content-Type", "application/json")
                    .end(body.encode());
        });
    }

    @Override
    public Future<?> stop() {
        return Future.all(plain == null ? Future.succeededFuture() : plain.close(),
                tls == null ? Future.succeededFuture() : tls.close());
    }
}
