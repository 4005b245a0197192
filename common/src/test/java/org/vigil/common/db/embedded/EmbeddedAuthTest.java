package org.vigil.common.db.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Verifies that the generated database password is kept owner-only and survives restarts unchanged. */
@Timeout(10)
class EmbeddedAuthTest {

    @Test
    void thePasswordIsGeneratedOnceIntoAnOwnerOnlyFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(EmbeddedAuth.PASSWORD_FILE);
        EmbeddedAuth.Password first = EmbeddedAuth.readOrCreate(file, new SecureRandom());
        assertThat(first.generated()).isTrue();
        assertThat(first.value()).matches("[A-Za-z0-9_-]{32}");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        EmbeddedAuth.Password again = EmbeddedAuth.readOrCreate(file, new SecureRandom());
        assertThat(again.generated()).isFalse();
        assertThat(again.value()).isEqualTo(first.value());
        assertThat(Files.getPosixFilePermissions(file)).as("loosened permissions are tightened again")
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void pgHbaIsRewrittenWhenItIsNotVigils(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("pg_hba.conf"), "host all all 127.0.0.1/32 trust\n");
        assertThat(EmbeddedAuth.hbaCurrent(dir)).isFalse();
        EmbeddedAuth.writeHba(dir);
        assertThat(EmbeddedAuth.hbaCurrent(dir)).isTrue();
        assertThat(Files.readString(dir.resolve("pg_hba.conf"))).doesNotContain("trust");
    }
}
