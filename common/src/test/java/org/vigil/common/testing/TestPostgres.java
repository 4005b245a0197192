package org.vigil.common.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.vigil.common.db.DatabaseConfig;

/**
 * A real PostgreSQL for integration tests: one server per test JVM, a fresh database per call, so test
 * classes never see each other's rows.
 *
 * <p>By default the server is the embedded PostgreSQL that Vigil itself ships. Set
 * {@code VIGIL_TEST_PG_URL} (a JDBC URL of a maintenance database, with {@code VIGIL_TEST_PG_USER} and
 * {@code VIGIL_TEST_PG_PASSWORD}) to run the same tests against another server, such as a distribution's
 * PostgreSQL or a TimescaleDB.
 */
public final class TestPostgres {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres embedded;

    private TestPostgres() {
    }

    /** A configuration that points Vigil at a new, empty database. */
    public static synchronized DatabaseConfig newDatabase() {
        String name = "vigil_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        Optional<String> external = Optional.ofNullable(System.getenv("VIGIL_TEST_PG_URL"));
        String user = external.map(u -> System.getenv().getOrDefault("VIGIL_TEST_PG_USER", "postgres")).orElse("postgres");
        String password = external.map(u -> System.getenv().getOrDefault("VIGIL_TEST_PG_PASSWORD", "")).orElse("");
        String adminUrl = external.orElseGet(() -> server().getJdbcUrl("postgres", "postgres"));
        try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        String url = adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1) + name;
        int query = adminUrl.indexOf('?');
        if (query > 0) {
            url = adminUrl.substring(0, adminUrl.lastIndexOf('/', query) + 1) + name + adminUrl.substring(query);
        }
        return new DatabaseConfig(Optional.of(url), user, password, 4, tempDir(), "auto", java.time.Duration.ofSeconds(5),
                java.time.Duration.ofMinutes(10));
    }

    private static EmbeddedPostgres server() {
        if (embedded == null) {
            try {
                embedded = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL for tests", e);
            }
        }
        return embedded;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("vigil-test-data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
