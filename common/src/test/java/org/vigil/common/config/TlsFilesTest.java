package org.vigil.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TlsFilesTest {

    private static final String CERT = "VIGIL_X_TLS_CERT";
    private static final String KEY = "VIGIL_X_TLS_KEY";
    private static final String PORT = "VIGIL_X_TLS_PORT";
    private static final String INCOMPLETE = "X needs both a certificate and a key";

    @Test
    void neitherSettingMeansNoTls() {
        assertThat(TlsFiles.configured(Settings.of(Map.of()), CERT, KEY, INCOMPLETE)).isEmpty();
    }

    @Test
    void bothSettingsNameTheCertificateAndTheKey() {
        Settings settings = Settings.of(Map.of(CERT, "/etc/vigil/cert.pem", KEY, "/etc/vigil/key.pem"));
        assertThat(TlsFiles.configured(settings, CERT, KEY, INCOMPLETE))
                .contains(new TlsFiles.Pair(Path.of("/etc/vigil/cert.pem"), Path.of("/etc/vigil/key.pem")));
    }

    @Test
    void oneWithoutTheOtherNamesTheMissingSetting() {
        assertThatThrownBy(() -> TlsFiles.configured(Settings.of(Map.of(CERT, "/etc/vigil/cert.pem")), CERT, KEY,
                INCOMPLETE)).isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.key()).isEqualTo(KEY))
                .hasMessage(KEY + ": " + INCOMPLETE);
        assertThatThrownBy(() -> TlsFiles.configured(Settings.of(Map.of(KEY, "/etc/vigil/key.pem")), CERT, KEY,
                INCOMPLETE)).isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.key()).isEqualTo(CERT))
                .hasMessage(CERT + ": " + INCOMPLETE);
    }

    /** Verifies that a listener takes its port from its setting, else the default, and only with both files. */
    @Test
    void aListenerHasItsPortAndBothFiles() {
        Map<String, String> files = Map.of(CERT, "/etc/vigil/cert.pem", KEY, "/etc/vigil/key.pem");
        assertThat(TlsFiles.listener(Settings.of(files), PORT, 8883, CERT, KEY, INCOMPLETE)).contains(
                new TlsFiles.Listener(8883, Path.of("/etc/vigil/cert.pem"), Path.of("/etc/vigil/key.pem")));
        Settings withPort = Settings.of(Map.of(CERT, "/etc/vigil/cert.pem", KEY, "/etc/vigil/key.pem", PORT, "9883"));
        assertThat(TlsFiles.listener(withPort, PORT, 8883, CERT, KEY, INCOMPLETE)).get()
                .extracting(TlsFiles.Listener::port).isEqualTo(9883);
        assertThat(TlsFiles.listener(Settings.of(Map.of(PORT, "9883")), PORT, 8883, CERT, KEY, INCOMPLETE)).isEmpty();
        Settings badPort = Settings.of(Map.of(CERT, "/etc/vigil/cert.pem", KEY, "/etc/vigil/key.pem", PORT, "70000"));
        assertThatThrownBy(() -> TlsFiles.listener(badPort, PORT, 8883, CERT, KEY, INCOMPLETE))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo(PORT));
    }
}
