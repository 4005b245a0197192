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
}
