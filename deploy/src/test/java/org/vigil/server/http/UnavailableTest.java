package org.vigil.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Verifies how a request that failed because the database is unavailable for now is answered (which failures those
 * are: SqlErrorsTest).
 */
@Timeout(30)
class UnavailableTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void aWrappedConnectionFailureIsAnswered503WithRetryAfter() throws Exception {
        HttpResponse<String> r = answerTo(new CompletionException(new SQLException("An I/O error occurred", "08006")));

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue(Integer.toString(Unavailable.RETRY_AFTER_SECONDS));
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getString("error")).isEqualTo("unavailable");
        assertThat(body.getString("message")).isEqualTo(Unavailable.DATABASE_MESSAGE);
    }

    /** The pool's timeout carries the last connection failure's state, here one that alone would be permanent. */
    @Test
    void aPoolTimeoutIsAnswered503() throws Exception {
        HttpResponse<String> r = answerTo(new CompletionException(new SQLTransientConnectionException(
                "vigil-db - Connection is not available, request timed out after 5000ms", "28P01")));

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue(Integer.toString(Unavailable.RETRY_AFTER_SECONDS));
    }

    @Test
    void aConstraintViolationIsLeftToTheServerError() throws Exception {
        HttpResponse<String> r = answerTo(new CompletionException(new SQLException("duplicate key", "23505")));

        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.headers().firstValue("Retry-After")).isEmpty();
    }

    /** A request to a route that fails with {@code failure}, answered as HttpApiVerticle's failure handler does. */
    private HttpResponse<String> answerTo(Throwable failure) throws Exception {
        Router router = Router.router(vertx);
        router.get("/fails").handler(ctx -> ctx.fail(failure));
        router.route().failureHandler(ctx -> {
            if (!Unavailable.answered(ctx)) {
                ctx.response().setStatusCode(500).end();
            }
        });
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/fails"))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
