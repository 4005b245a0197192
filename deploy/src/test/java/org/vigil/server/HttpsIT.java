package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.common.config.ConfigException;

/**
 * The REST API and the live feeds over HTTPS with a configured PEM certificate and key, checked by a real TLS client
 * (java.net.http) that trusts only that certificate; plain HTTP closed when it is turned off; a bad certificate
 * setting stops start-up naming the setting.
 */
@Timeout(120)
class HttpsIT {

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void apiAndLiveFeedWorkOverHttpsAndPlainHttpIsClosedWhenOff(@TempDir Path dir) throws Exception {
        TestCertificates.Pair pem = TestCertificates.rsa(dir, "https");
        int plainPort = ServerProcess.freePort();
        int httpsPort = ServerProcess.freePort();
        Map<String, String> env = https(pem, httpsPort);
        env.put("VIGIL_HTTP_PORT", String.valueOf(plainPort));
        env.put("VIGIL_HTTP_PLAIN", "false");
        try (VigilServer server = TestServers.start(env);
             ApiClient api = new ApiClient("https://127.0.0.1:" + httpsPort, server.adminToken(),
                     TestCertificates.trusting(pem.cert()))) {
            assertThat(server.httpPort()).as("no plain listener").isEqualTo(-1);

            Devices d = Devices.register(api, "HTTPS");
            assertThat(api.get("/api/v1/patients/" + d.patientId()).getLong("id")).isEqualTo(d.patientId());
            ApiClient.Feed feed = api.openFeed(d.doctorId());
            try (MqttClient device = d.connect("tcp://127.0.0.1:" + server.mqttPort())) {
                device.publish(d.topic(), Devices.message("{\"ts\": " + Instant.now().minusSeconds(1).toEpochMilli()
                        + ", \"values\": {\"systolic_bp\": 195, \"diastolic_bp\": 118}}", 1));
                device.disconnect();
            }
            ApiClient.FeedEvent opened = feed.events().poll(10, TimeUnit.SECONDS);
            assertThat(opened).as("an alert on the feed over HTTPS").isNotNull();
            assertThat(opened.name()).isEqualTo("alert.opened");
            assertThat(opened.data().getLong("patientId")).isEqualTo(d.patientId());

            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> get(plain, "http://127.0.0.1:" + plainPort + "/health"))
                    .as("the plain port is closed").isInstanceOf(ConnectException.class);
            assertThatThrownBy(() -> get(plain, "http://127.0.0.1:" + httpsPort + "/health"))
                    .as("plain HTTP on the HTTPS port gets no answer").isInstanceOf(IOException.class);
            assertThatThrownBy(() -> get(HttpClient.newHttpClient(), "https://127.0.0.1:" + httpsPort + "/health"))
                    .as("a client that does not trust the certificate").isInstanceOf(SSLHandshakeException.class);
            plain.shutdownNow();
        }
    }

    @Test
    void plainAndHttpsServeSideBySide(@TempDir Path dir) throws Exception {
        TestCertificates.Pair pem = TestCertificates.ec(dir, "both");
        int httpsPort = ServerProcess.freePort();
        Map<String, String> env = https(pem, httpsPort);
        env.put("VIGIL_ROLES", "registry");
        try (VigilServer server = TestServers.start(env);
             ApiClient overTls = new ApiClient("https://127.0.0.1:" + httpsPort, server.adminToken(),
                     TestCertificates.trusting(pem.cert()));
             ApiClient overPlain = new ApiClient(server.httpPort(), server.adminToken())) {
            assertThat(server.httpPort()).isPositive().isNotEqualTo(httpsPort);
            long county = overTls.newOrganisation("HTTPS county", "county", null);
            assertThat(overPlain.get("/api/v1/organisations/" + county).getString("name")).isEqualTo("HTTPS county");
        }
    }

    @Test
    void aKeyThatIsNotTheCertificatesStopsStartUpNamingTheSetting(@TempDir Path dir) throws Exception {
        TestCertificates.Pair server = TestCertificates.rsa(dir, "server");
        TestCertificates.Pair other = TestCertificates.rsa(dir, "other");
        Map<String, String> env = new HashMap<>(TestServers.externalDatabase());
        env.put("VIGIL_HTTP_TLS_CERT", server.cert().toString());
        env.put("VIGIL_HTTP_TLS_KEY", other.key().toString());
        assertThatThrownBy(() -> TestServers.start(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("VIGIL_HTTP_TLS_KEY: ")
                .hasMessageContaining("is not the private key of the certificate in VIGIL_HTTP_TLS_CERT");
    }

    /** Settings for a server on a new database that serves HTTPS on {@code port} with {@code pem}. */
    private static Map<String, String> https(TestCertificates.Pair pem, int port) {
        Map<String, String> env = new HashMap<>(TestServers.externalDatabase());
        env.put("VIGIL_HTTP_TLS_PORT", String.valueOf(port));
        env.put("VIGIL_HTTP_TLS_CERT", pem.cert().toString());
        env.put("VIGIL_HTTP_TLS_KEY", pem.key().toString());
        return env;
    }
}
