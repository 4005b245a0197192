package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.common.testing.Poll;

/**
 * Console sign-in over real HTTP: the session cookie's attributes, a session resolving to the very principal (and so
 * the very access) of the doctor's bearer token, throttling after failed sign-ins, sign-out, a deactivated doctor's
 * session ending, administrators' own accounts, and the one-time set-password link.
 */
@Timeout(180)
class ConsoleSessionIT {

    private static VigilServer server;
    private static ApiClient admin;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        server = TestServers.start(TestServers.externalDatabase());
        admin = new ApiClient(server.httpPort(), server.adminToken());
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        http.shutdownNow();
        admin.close();
        server.close();
    }

    private static HttpResponse<String> call(String method, String path, String cookie, String csrf, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            request.header("Cookie", "vigil_session=" + cookie);
        }
        if (csrf != null) {
            request.header("X-CSRF-Token", csrf);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> signIn(String login, String password) throws Exception {
        return call("POST", "/api/v1/session", null, null,
                new JsonObject().put("login", login).put("password", password).encode());
    }

    /** The session token from a sign-in's Set-Cookie. */
    private static String cookie(HttpResponse<String> signedIn) {
        String header = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
        return header.substring("vigil_session=".length(), header.indexOf(';'));
    }

    @Test
    void aSessionIsTheDoctorHerselfWithAStrictHttpOnlyCookie() throws Exception {
        ConsoleClinic clinic = ConsoleClinic.create(admin);
        ConsoleClinic other = ConsoleClinic.create(admin);
        HttpResponse<String> signedIn = signIn(clinic.login.toUpperCase(), ConsoleClinic.PASSWORD);
        assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(200);
        String setCookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("vigil_session=vd_").containsIgnoringCase("HttpOnly").contains("SameSite=Strict")
                .contains("Path=/").doesNotContain("Secure");
        String cookie = cookie(signedIn);

        JsonObject me = new JsonObject(call("GET", "/api/v1/session", cookie, null, null).body());
        assertThat(me.getString("name")).isEqualTo("doctor:" + clinic.doctorId);
        assertThat(me.getLong("doctorId")).isEqualTo(clinic.doctorId);
        assertThat(me.getString("csrfToken")).hasSize(64);

        // The same rules as her bearer token: the same patients, and another doctor's patient not found either way.
        String token = admin.create("/api/v1/doctors/" + clinic.doctorId + "/tokens", new JsonObject()).getString("token");
        try (ApiClient bearer = new ApiClient(server.httpPort(), token)) {
            assertThat(new JsonObject(call("GET", "/api/v1/patients", cookie, null, null).body()).getJsonArray("items"))
                    .isEqualTo(bearer.get("/api/v1/patients").getJsonArray("items"));
            assertThat(bearer.send("GET", "/api/v1/patients/" + other.patientId, null).statusCode()).isEqualTo(404);
        }
        HttpResponse<String> foreign = call("GET", "/api/v1/patients/" + other.patientId, cookie, null, null);
        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(foreign.body()).doesNotContain(other.patientName);
        assertThat(call("POST", "/api/v1/organisations", cookie, me.getString("csrfToken"),
                new JsonObject().put("name", "x").put("tier", "county").encode()).statusCode()).isEqualTo(403);
    }

    @Test
    void failedSignInsLockTheAccountEvenForTheRightPassword() throws Exception {
        ConsoleClinic clinic = ConsoleClinic.create(admin);
        for (int i = 0; i < 5; i++) {
            assertThat(signIn(clinic.login, "wrong password " + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> locked = signIn(clinic.login, ConsoleClinic.PASSWORD);
        assertThat(locked.statusCode()).as(locked.body()).isEqualTo(429);
        assertThat(locked.headers().firstValue("Retry-After")).isPresent();
        assertThat(new JsonObject(locked.body()).getString("error")).isEqualTo("too_many_requests");
        assertThat(signIn("nobody-" + System.nanoTime(), ConsoleClinic.PASSWORD).statusCode()).isEqualTo(401);
    }

    @Test
    void signOutAndDeactivationEndTheSession() throws Exception {
        ConsoleClinic clinic = ConsoleClinic.create(admin);
        String first = cookie(signIn(clinic.login, ConsoleClinic.PASSWORD));
        String second = cookie(signIn(clinic.login, ConsoleClinic.PASSWORD));
        String csrf = new JsonObject(call("GET", "/api/v1/session", first, null, null).body()).getString("csrfToken");

        assertThat(call("DELETE", "/api/v1/session", first, null, null).statusCode()).isEqualTo(403);
        HttpResponse<String> out = call("DELETE", "/api/v1/session", first, csrf, null);
        assertThat(out.statusCode()).isEqualTo(204);
        assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
        assertThat(call("GET", "/api/v1/session", first, null, null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/v1/session", second, null, null).statusCode()).isEqualTo(200);

        admin.send("POST", "/api/v1/doctors/" + clinic.doctorId + "/deactivate", null);
        Poll.until("the session refused", Duration.ofSeconds(10),
                () -> call("GET", "/api/v1/session", second, null, null).statusCode() == 401);
        assertThat(signIn(clinic.login, ConsoleClinic.PASSWORD).statusCode()).isEqualTo(401);
    }

    @Test
    void aNamedAdministratorSignsInAsHerselfUntilDeactivated() throws Exception {
        String login = "ops-" + System.nanoTime() % 100_000;
        JsonObject account = admin.create("/api/v1/accounts", new JsonObject().put("login", login).put("name", "运维 张"));
        assertThat(account.getString("role")).isEqualTo("admin");
        assertThat(account.getBoolean("passwordSet")).isFalse();
        String link = account.getString("setPasswordPath");
        String token = link.substring(link.lastIndexOf('/') + 1);
        assertThat(call("POST", "/api/v1/session/password", null, null,
                new JsonObject().put("token", token).put("password", "short").encode()).statusCode()).isEqualTo(400);
        assertThat(call("POST", "/api/v1/session/password", null, null,
                new JsonObject().put("token", token).put("password", ConsoleClinic.PASSWORD).encode()).statusCode())
                .isEqualTo(204);
        HttpResponse<String> again = call("POST", "/api/v1/session/password", null, null,
                new JsonObject().put("token", token).put("password", "another long password").encode());
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(again.body()).getString("field")).isEqualTo("token");

        String cookie = cookie(signIn(login, ConsoleClinic.PASSWORD));
        JsonObject me = new JsonObject(call("GET", "/api/v1/session", cookie, null, null).body());
        assertThat(me.getString("name")).isEqualTo("admin:" + login);
        assertThat(me.getBoolean("admin")).isTrue();
        HttpResponse<String> created = call("POST", "/api/v1/organisations", cookie, me.getString("csrfToken"),
                new JsonObject().put("name", "东山县医院").put("tier", "county").encode());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        List<String> actors = admin.get("/api/v1/audit?action=organisation.created&limit=500").getJsonArray("items")
                .stream().map(e -> ((JsonObject) e).getString("actor")).toList();
        assertThat(actors).contains("admin:" + login);

        admin.send("POST", "/api/v1/accounts/" + account.getLong("id") + "/deactivate", null);
        assertThat(call("GET", "/api/v1/session", cookie, null, null).statusCode()).isEqualTo(401);
        assertThat(signIn(login, ConsoleClinic.PASSWORD).statusCode()).isEqualTo(401);
    }

    /** Verifies that the session cookie is marked Secure when signed in over HTTPS, and only then. */
    @Test
    void theCookieIsSecureOverHttps(@TempDir Path dir) throws Exception {
        TestCertificates.Pair pem = TestCertificates.rsa(dir, "console");
        int httpsPort = ServerProcess.freePort();
        Map<String, String> env = new HashMap<>(TestServers.externalDatabase());
        env.put("VIGIL_HTTP_TLS_PORT", String.valueOf(httpsPort));
        env.put("VIGIL_HTTP_TLS_CERT", pem.cert().toString());
        env.put("VIGIL_HTTP_TLS_KEY", pem.key().toString());
        try (VigilServer tls = TestServers.start(env);
             ApiClient plainAdmin = new ApiClient(tls.httpPort(), tls.adminToken())) {
            ConsoleClinic clinic = ConsoleClinic.create(plainAdmin);
            String body = new JsonObject().put("login", clinic.login).put("password", ConsoleClinic.PASSWORD).encode();
            HttpClient https = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .sslContext(TestCertificates.trusting(pem.cert())).build();
            try {
                for (String base : new String[] {"https://127.0.0.1:" + httpsPort, "http://127.0.0.1:" + tls.httpPort()}) {
                    HttpResponse<String> signedIn = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/session"))
                            .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(200);
                    String cookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
                    if (base.startsWith("https")) {
                        assertThat(cookie).as("over HTTPS").contains("; Secure");
                    } else {
                        assertThat(cookie).as("over plain HTTP").doesNotContain("Secure");
                    }
                }
            } finally {
                https.shutdownNow();
            }
        }
    }

    /**
     * Verifies that guessing across logins from one address is bounded too: with one failure allowed per account,
     * the eleventh failure from the address (ten logins that do not exist) refuses even a right password, unhashed.
     */
    @Test
    void failuresFromOneAddressAcrossLoginsAreBounded() throws Exception {
        Map<String, String> env = new HashMap<>(TestServers.externalDatabase());
        env.put("VIGIL_CONSOLE_SIGNIN_FAILURES", "1");
        try (VigilServer strict = TestServers.start(env);
             ApiClient strictAdmin = new ApiClient(strict.httpPort(), strict.adminToken())) {
            ConsoleClinic clinic = ConsoleClinic.create(strictAdmin);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            try {
                int[] statuses = new int[11];
                for (int i = 0; i <= 10; i++) {
                    String login = i < 10 ? "nobody-" + i : clinic.login;
                    String password = i < 10 ? "a guess" : ConsoleClinic.PASSWORD;
                    statuses[i] = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + strict.httpPort()
                                    + "/api/v1/session")).timeout(Duration.ofSeconds(20))
                            .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("login", login)
                                    .put("password", password).encode())).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode();
                }
                assertThat(statuses).startsWith(401, 401, 401, 401, 401, 401, 401, 401, 401, 401).endsWith(429);
            } finally {
                client.shutdownNow();
            }
        }
    }
}
