package org.vigil.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;
import org.vigil.server.TestCertificates;

/** HTTPS settings: what starts, and what stops start-up with a message naming the setting at fault. */
@Timeout(60)
class ServerConfigTest {

    @TempDir
    static Path dir;
    private static Path cert;
    private static Path key;
    private static Path pkcs1Key;
    private static Path otherKey;
    private static Path ecCert;
    private static Path ecKey;

    @BeforeAll
    static void certificates() throws Exception {
        TestCertificates.Pair rsa = TestCertificates.rsa(dir, "server");
        cert = rsa.cert();
        key = rsa.key();
        pkcs1Key = TestCertificates.pkcs1(rsa, dir);
        otherKey = TestCertificates.rsa(dir, "other").key();
        TestCertificates.Pair ec = TestCertificates.ec(dir, "ec");
        ecCert = ec.cert();
        ecKey = ec.key();
    }

    private static ServerConfig config(String... keysAndValues) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            env.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return ServerConfig.from(Settings.of(env));
    }

    private static void refused(String key, String message, String... keysAndValues) {
        assertThatThrownBy(() -> config(keysAndValues)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(key + ": ").hasMessageContaining(message)
                .extracting(e -> ((ConfigException) e).key()).isEqualTo(key);
    }

    @Test
    void plainHttpOnlyByDefault() {
        ServerConfig config = config();
        assertThat(config.httpPlain()).isTrue();
        assertThat(config.httpTls()).isEmpty();
        assertThat(config.httpPort()).isEqualTo(8080);
    }

    @Test
    void httpsOnItsOwnPortBesidePlainOrAlone() {
        ServerConfig both = config("VIGIL_HTTP_TLS_CERT", cert.toString(), "VIGIL_HTTP_TLS_KEY", key.toString());
        assertThat(both.httpPlain()).isTrue();
        assertThat(both.httpTls()).hasValueSatisfying(tls -> assertThat(tls.port()).isEqualTo(8443));

        ServerConfig httpsOnly = config("VIGIL_HTTP_PLAIN", "false", "VIGIL_HTTP_TLS_PORT", "9443",
                "VIGIL_HTTP_TLS_CERT", cert.toString(), "VIGIL_HTTP_TLS_KEY", key.toString());
        assertThat(httpsOnly.httpPlain()).isFalse();
        assertThat(httpsOnly.httpTls().orElseThrow().port()).isEqualTo(9443);
    }

    @Test
    void theKeyFormatsTheMqttListenerTakesAreTakenToo() {
        assertThat(config("VIGIL_HTTP_TLS_CERT", cert.toString(), "VIGIL_HTTP_TLS_KEY", pkcs1Key.toString())
                .httpTls()).isPresent();
        assertThat(config("VIGIL_HTTP_TLS_CERT", ecCert.toString(), "VIGIL_HTTP_TLS_KEY", ecKey.toString())
                .httpTls()).isPresent();
    }

    @Test
    void plainOffNeedsHttps() {
        refused("VIGIL_HTTP_PLAIN", "needs HTTPS: set VIGIL_HTTP_TLS_CERT and VIGIL_HTTP_TLS_KEY",
                "VIGIL_HTTP_PLAIN", "false");
    }

    @Test
    void aCertificateNeedsItsKeyAndTheOtherWayRound() {
        refused("VIGIL_HTTP_TLS_KEY", "needs both", "VIGIL_HTTP_TLS_CERT", cert.toString());
        refused("VIGIL_HTTP_TLS_CERT", "needs both", "VIGIL_HTTP_TLS_KEY", key.toString());
    }

    @Test
    void unreadableOrWrongFilesNameTheirSetting() throws Exception {
        Path missing = dir.resolve("missing.pem");
        refused("VIGIL_HTTP_TLS_CERT", "cannot read " + missing,
                "VIGIL_HTTP_TLS_CERT", missing.toString(), "VIGIL_HTTP_TLS_KEY", key.toString());
        refused("VIGIL_HTTP_TLS_KEY", "cannot read " + missing,
                "VIGIL_HTTP_TLS_CERT", cert.toString(), "VIGIL_HTTP_TLS_KEY", missing.toString());
        refused("VIGIL_HTTP_TLS_CERT", "is not a PEM certificate chain",
                "VIGIL_HTTP_TLS_CERT", key.toString(), "VIGIL_HTTP_TLS_KEY", key.toString());
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a key\n");
        refused("VIGIL_HTTP_TLS_KEY", "is not a PEM private key",
                "VIGIL_HTTP_TLS_CERT", cert.toString(), "VIGIL_HTTP_TLS_KEY", garbage.toString());
        refused("VIGIL_HTTP_TLS_KEY", "is not a PEM private key",
                "VIGIL_HTTP_TLS_CERT", cert.toString(), "VIGIL_HTTP_TLS_KEY", cert.toString());
    }

    /** Verifies that a key that parses but is not the certificate's stops start-up instead of every handshake. */
    @Test
    void aKeyOfAnotherCertificateIsRefused() {
        refused("VIGIL_HTTP_TLS_KEY", "is not the private key of the certificate in VIGIL_HTTP_TLS_CERT",
                "VIGIL_HTTP_TLS_CERT", cert.toString(), "VIGIL_HTTP_TLS_KEY", otherKey.toString());
        refused("VIGIL_HTTP_TLS_KEY", "VIGIL_HTTP_TLS_CERT",
                "VIGIL_HTTP_TLS_CERT", cert.toString(), "VIGIL_HTTP_TLS_KEY", ecKey.toString());
    }

    @Test
    void httpsNeedsAPortOfItsOwnWhilePlainIsOpen() {
        refused("VIGIL_HTTP_TLS_PORT", "is also VIGIL_HTTP_PORT", "VIGIL_HTTP_PORT", "8443",
                "VIGIL_HTTP_TLS_CERT", cert.toString(), "VIGIL_HTTP_TLS_KEY", key.toString());
        assertThat(config("VIGIL_HTTP_PORT", "8443", "VIGIL_HTTP_PLAIN", "false",
                "VIGIL_HTTP_TLS_CERT", cert.toString(), "VIGIL_HTTP_TLS_KEY", key.toString()).httpTls()).isPresent();
    }
}
