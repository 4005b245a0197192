package org.vigil.alerting.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.alerting.store.WebhookStore;
import org.vigil.alerting.testing.CareTree;
import org.vigil.common.db.Database;
import org.vigil.common.http.ApiError;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.Principal;
import org.vigil.common.testing.TestPostgres;

/**
 * The webhook routes over real HTTP against a real PostgreSQL. Authentication is the server's concern; here a
 * header names the caller, and failures become the API's error shape as the server's failure handler makes them.
 */
@Timeout(60)
class WebhooksApiIT {

    private static Database database;
    private static Vertx vertx;
    private static HttpServer server;
    private static HttpClient client;
    private static CareTree tree;

    private record Answer(int status, JsonObject body) {
    }

    @BeforeAll
    static void start() throws Exception {
        database = Database.open(TestPostgres.newDatabase());
        tree = new CareTree(database.dataSource());
        vertx = Vertx.vertx();
        Router api = Router.router(vertx);
        api.route().handler(BodyHandler.create());
        api.route().handler(ctx -> {
            String who = ctx.request().getHeader("X-Caller");
            Principal.set(ctx, "admin".equals(who) ? Principal.ADMIN : Principal.doctor(Long.parseLong(who)));
            ctx.next();
        });
        new WebhooksApi(vertx, new WebhookStore(database.dataSource()), Clock.systemUTC(), new SecureRandom()).mount(api);
        api.route().failureHandler(ctx -> {
            if (ctx.failure() instanceof ApiException e) {
                ApiError.send(ctx, e.status(), e.error(), e.getMessage(), e.field());
            } else {
                ApiError.send(ctx, 500, "server_error", String.valueOf(ctx.failure()), null);
            }
        });
        Router root = Router.router(vertx);
        root.route("/api/v1/*").subRouter(api);
        server = await(vertx.createHttpServer().requestHandler(root).listen(0, "127.0.0.1"));
        client = vertx.createHttpClient();
    }

    @AfterAll
    static void stop() throws Exception {
        await(vertx.close());
        database.close();
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /**
     * One request, run on a Vert.x context: from the test thread, a callback attached after the response arrived
     * would run too late to read its body.
     */
    private static Answer send(HttpMethod method, String path, String caller, String body) throws Exception {
        Promise<Answer> answer = Promise.promise();
        vertx.runOnContext(v -> client.request(method, server.actualPort(), "127.0.0.1", "/api/v1" + path)
                .compose(request -> {
                    request.putHeader("X-Caller", caller);
                    return body == null ? request.send() : request.putHeader("Content-Type", "application/json")
                            .send(Buffer.buffer(body));
                })
                .compose(response -> response.body().map(b -> new Answer(response.statusCode(),
                        b.length() == 0 ? new JsonObject() : b.toJsonObject())))
                .onComplete(answer));
        return await(answer.future());
    }

    private static void assertInvalid(Answer answer, String field) {
        assertThat(answer.status()).as(answer.body().encode()).isEqualTo(400);
        assertThat(answer.body().getString("field")).isEqualTo(field);
    }

    /** Verifies the whole life of a webhook: generated secret shown once, read without it, replaced, removed. */
    @Test
    void aWebhookIsSetReadReplacedAndRemoved() throws Exception {
        long village = tree.organisation("Api village", "village", null);
        String path = "/organisations/" + village + "/webhook";

        Answer created = send(HttpMethod.PUT, path, "admin", "{\"url\": \"https://clinic.example/hooks/vigil\"}");
        assertThat(created.status()).isEqualTo(200);
        assertThat(created.body().getString("secret")).as("generated, 256 bits in hex").matches("[0-9a-f]{64}");
        assertThat(created.body().getString("url")).isEqualTo("https://clinic.example/hooks/vigil");
        assertThat(created.body().getLong("organisationId")).isEqualTo(village);

        Answer read = send(HttpMethod.GET, path, "admin", null);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body().containsKey("secret")).isFalse();
        assertThat(read.body().getLong("backlog")).isZero();
        assertThat(read.body().getString("url")).isEqualTo("https://clinic.example/hooks/vigil");

        Answer replaced = send(HttpMethod.PUT, path, "admin",
                "{\"url\": \"http://10.0.0.7:8080/in\", \"secret\": \"our-own-secret-0123456789\"}");
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.body().containsKey("secret")).as("a secret the caller chose is not echoed").isFalse();
        assertThat(replaced.body().getString("createdAt")).isEqualTo(created.body().getString("createdAt"));

        assertThat(send(HttpMethod.DELETE, path, "admin", null).status()).isEqualTo(204);
        Answer gone = send(HttpMethod.GET, path, "admin", null);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.body().getString("message")).contains("webhook of organisation " + village);
        assertThat(send(HttpMethod.DELETE, path, "admin", null).status()).isEqualTo(404);
    }

    @Test
    void badAddressesAndSecretsAreRefusedNamingTheField() throws Exception {
        long village = tree.organisation("Strict village", "village", null);
        String path = "/organisations/" + village + "/webhook";
        assertInvalid(send(HttpMethod.PUT, path, "admin", "{}"), "url");
        assertInvalid(send(HttpMethod.PUT, path, "admin", "{\"url\": 42}"), "url");
        assertInvalid(send(HttpMethod.PUT, path, "admin", "{\"url\": \"ftp://clinic.example/in\"}"), "url");
        assertInvalid(send(HttpMethod.PUT, path, "admin", "{\"url\": \"clinic.example/in\"}"), "url");
        assertInvalid(send(HttpMethod.PUT, path, "admin", "{\"url\": \"http://\"}"), "url");
        assertInvalid(send(HttpMethod.PUT, path, "admin", "{\"url\": \"http://bad host/\"}"), "url");
        assertInvalid(send(HttpMethod.PUT, path, "admin",
                new JsonObject().put("url", "https://clinic.example/" + "a".repeat(2_000)).encode()), "url");
        assertInvalid(send(HttpMethod.PUT, path, "admin",
                "{\"url\": \"https://clinic.example/in\", \"secret\": \"short\"}"), "secret");
        assertInvalid(send(HttpMethod.PUT, path, "admin",
                "{\"url\": \"https://clinic.example/in\", \"secret\": 1234567890123456789}"), "secret");
        assertThat(send(HttpMethod.PUT, path, "admin", "{\"url\": \"HTTPS://Clinic.Example/in\"}").status())
                .as("scheme and host are case-insensitive").isEqualTo(200);
    }

    @Test
    void unknownOrganisationsAreNotFoundAndDoctorsAreForbidden() throws Exception {
        Answer unknown = send(HttpMethod.PUT, "/organisations/987654/webhook", "admin",
                "{\"url\": \"https://clinic.example/in\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().getString("message")).contains("organisation 987654");
        assertThat(send(HttpMethod.GET, "/organisations/987654/webhook", "admin", null).status()).isEqualTo(404);
        assertThat(send(HttpMethod.GET, "/organisations/nope/webhook", "admin", null).status()).isEqualTo(404);

        long village = tree.organisation("Private village", "village", null);
        Answer doctor = send(HttpMethod.PUT, "/organisations/" + village + "/webhook", "7",
                "{\"url\": \"https://clinic.example/in\"}");
        assertThat(doctor.status()).isEqualTo(403);
        assertThat(send(HttpMethod.GET, "/organisations/" + village + "/webhook", "7", null).status()).isEqualTo(403);
    }
}
