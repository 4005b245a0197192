package org.vigil.server.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.app.Role;
import org.vigil.common.db.Database;
import org.vigil.common.http.ApiError;
import org.vigil.common.http.ApiException;
import org.vigil.registry.auth.DoctorTokens;

/**
 * The HTTP front: {@code /health}, {@code /metrics}, and {@code /api/v1} with the routes of every role
 * this process runs, behind bearer-token authentication (the admin token or a doctor's own). Client errors become the JSON error shape;
 * anything else is logged and answered 500 without internals. {@code /api/v1/openapi.yaml} describes the API
 * (OpenAPI 3); {@code OpenApiIT} keeps that description true to the routes mounted here.
 */
public final class HttpApiVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApiVerticle.class);
    private static final long MAX_BODY_BYTES = 1024 * 1024;
    /** The OpenAPI description, a classpath resource next to this class. */
    private static final String OPENAPI_RESOURCE = "openapi.yaml";

    private final String host;
    private final int port;
    private final String adminToken;
    private final List<Role> roles;
    private final Database database;
    private final PrometheusMeterRegistry prometheus;
    private final DoctorTokens doctorTokens;
    private final String openApi;
    private HttpServer server;
    // Built on the event loop in start(), read by whoever checks the API description against them.
    private volatile Router root;
    private volatile Router api;

    public HttpApiVerticle(String host, int port, String adminToken, DoctorTokens doctorTokens, List<Role> roles,
            Database database, PrometheusMeterRegistry prometheus) {
        this.doctorTokens = Objects.requireNonNull(doctorTokens, "doctorTokens");
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.adminToken = Objects.requireNonNull(adminToken, "adminToken");
        this.roles = List.copyOf(roles);
        this.database = Objects.requireNonNull(database, "database");
        this.prometheus = Objects.requireNonNull(prometheus, "prometheus");
        // Read here, on the thread that builds the server, so no event loop ever waits on the classpath.
        this.openApi = readOpenApi();
    }

    @Override
    public Future<?> start() {
        root = Router.router(vertx);
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
        api.route().handler(new BearerAuth(adminToken, doctorTokens));
        for (Role role : roles) {
            role.mount(api);
        }
        api.route().handler(ctx -> ApiError.send(ctx, 404, "not_found", "no such endpoint: "
                + ctx.request().method() + " " + ctx.request().path(), null));
        api.route().failureHandler(this::failure);
        root.route("/api/v1/*").subRouter(api);
        root.route().handler(ctx -> ApiError.send(ctx, 404, "not_found", "no such endpoint", null));

        server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
                .requestHandler(root);
        return server.listen();
    }

    /** The port actually bound. */
    public int actualPort() {
        return server.actualPort();
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
        LOG.warn("Request failed [{} {}]", ctx.request().method(), ctx.request().path(), failure);
        if (!ctx.response().headWritten()) {
            ApiError.send(ctx, 500, "server_error", "the server could not complete the request", null);
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
            boolean up = ar.succeeded() && ar.result();
            JsonObject body = new JsonObject()
                    .put("status", up ? "up" : "down")
                    .put("database", up ? "up" : database.embeddedRestarting() ? "restarting" : "down")
                    .put("storage", database.storageMode().name().toLowerCase())
                    .put("roles", new JsonArray(roles.stream().map(Role::name).toList()));
            ctx.response().setStatusCode(up ? 200 : 503)
                    .putHeader("Content-Type", "application/json")
                    .end(body.encode());
        });
    }

    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
