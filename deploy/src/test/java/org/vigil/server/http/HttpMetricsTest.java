package org.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Verifies that requests are tagged with the route template the router would choose, never the raw path. */
@Timeout(30)
class HttpMetricsTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void aPathIsTaggedWithTheFirstMatchingTemplateOfItsMethod() {
        Router api = Router.router(vertx);
        api.route().handler(ctx -> ctx.next());
        api.get("/alerts/:id").handler(ctx -> { });
        api.post("/alerts/:id/ack").handler(ctx -> { });
        api.get("/patients/:id/vitals").handler(ctx -> { });
        api.get("/patients/:id").handler(ctx -> { });
        api.route("/static/*").handler(ctx -> { });
        HttpMetrics metrics = new HttpMetrics(new SimpleMeterRegistry());
        metrics.addRoutes("/api/v1", api.getRoutes());

        assertThat(metrics.route(HttpMethod.GET, "/api/v1/alerts/42")).isEqualTo("/api/v1/alerts/:id");
        assertThat(metrics.route(HttpMethod.POST, "/api/v1/alerts/42/ack")).isEqualTo("/api/v1/alerts/:id/ack");
        assertThat(metrics.route(HttpMethod.GET, "/api/v1/patients/7/vitals")).isEqualTo("/api/v1/patients/:id/vitals");
        assertThat(metrics.route(HttpMethod.GET, "/api/v1/patients/7/")).isEqualTo("/api/v1/patients/:id");
        assertThat(metrics.route(HttpMethod.DELETE, "/api/v1/alerts/42")).as("no route for the method")
                .isEqualTo(HttpMetrics.UNMATCHED);
        assertThat(metrics.route(HttpMethod.GET, "/api/v1/alerts/42/other")).isEqualTo(HttpMetrics.UNMATCHED);
        assertThat(metrics.route(HttpMethod.GET, "/api/v1/static/x")).as("wildcards are not templates")
                .isEqualTo(HttpMetrics.UNMATCHED);
    }

    @Test
    void regexCharactersInATemplateAreLiteral() {
        Router root = Router.router(vertx);
        root.get("/a.b/:id").handler(ctx -> { });
        HttpMetrics metrics = new HttpMetrics(new SimpleMeterRegistry());
        metrics.addRoutes("", root.getRoutes());

        assertThat(metrics.route(HttpMethod.GET, "/a.b/1")).isEqualTo("/a.b/:id");
        assertThat(metrics.route(HttpMethod.GET, "/axb/1")).isEqualTo(HttpMetrics.UNMATCHED);
    }
}
