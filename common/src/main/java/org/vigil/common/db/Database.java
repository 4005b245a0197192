package org.vigil.common.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database Vigil runs on: an external PostgreSQL/TimescaleDB, or an embedded PostgreSQL whose data
 * survives restarts under the data directory. Opening it migrates the schema and detects the storage
 * mode; closing it closes the pool and stops the embedded server.
 *
 * <p>All methods block; call them at start-up or from worker threads, never from an event loop.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private static final String EMBEDDED_DB = "vigil";
    private static final int WRITER_CONNECT_TIMEOUT_SECONDS = 5;
    /** Far above any batch's commit time, far below "forever". */
    private static final int WRITER_SOCKET_TIMEOUT_SECONDS = 60;

    private final EmbeddedPostgres embedded;
    private final HikariDataSource pool;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final StorageMode storageMode;

    private Database(EmbeddedPostgres embedded, String jdbcUrl, String user, String password, DatabaseConfig config) {
        this.embedded = embedded;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(jdbcUrl);
        hikari.setUsername(user);
        hikari.setPassword(password);
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setConnectionTimeout(config.connectTimeout().toMillis());
        hikari.addDataSourceProperty("connectTimeout", String.valueOf(WRITER_CONNECT_TIMEOUT_SECONDS));
        hikari.addDataSourceProperty("socketTimeout", String.valueOf(WRITER_SOCKET_TIMEOUT_SECONDS));
        hikari.setPoolName("vigil-db");
        // Start even while the database is still coming up; requests fail until it answers.
        hikari.setInitializationFailTimeout(-1);
        this.pool = new HikariDataSource(hikari);
        try {
            migrate(config.timescale());
            this.storageMode = detectStorageMode();
        } catch (RuntimeException | SQLException e) {
            pool.close();
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
        LOG.info("Database ready [url: {}, readings: {}]", jdbcUrl,
                storageMode == StorageMode.TIMESCALE ? "TimescaleDB hypertable" : "PostgreSQL table partitioned by day");
    }

    /** Opens the configured database, starting the embedded one if no URL is configured. */
    public static Database open(DatabaseConfig config) {
        if (config.url().isPresent()) {
            return new Database(null, config.url().get(), config.user(), config.password(), config);
        }
        EmbeddedPostgres pg = startEmbedded(config.dataDir().resolve("postgres"));
        try {
            ensureDatabase(pg);
            return new Database(pg, pg.getJdbcUrl("postgres", EMBEDDED_DB), "postgres", "", config);
        } catch (RuntimeException e) {
            closeQuietly(pg);
            throw e;
        }
    }

    private static EmbeddedPostgres startEmbedded(Path dir) {
        try {
            Files.createDirectories(dir.getParent());
            boolean fresh = !Files.exists(dir.resolve("PG_VERSION"));
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    // The embedded server is for one node; keep its memory modest and its commits durable.
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .start();
            LOG.info("Embedded PostgreSQL {} [data: {}, port: {}]", fresh ? "initialised" : "started",
                    dir.toAbsolutePath(), pg.getPort());
            return pg;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the embedded PostgreSQL in " + dir.toAbsolutePath()
                    + ": " + e.getMessage(), e);
        }
    }

    private static void ensureDatabase(EmbeddedPostgres pg) {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + EMBEDDED_DB + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE " + EMBEDDED_DB);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the embedded database: " + e.getMessage(), e);
        }
    }

    private void migrate(String timescale) {
        Flyway.configure()
                .dataSource(pool)
                .locations("classpath:org/vigil/common/db/migration")
                .placeholders(Map.of("timescale", timescale))
                .load()
                .migrate();
    }

    private StorageMode detectStorageMode() throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT relkind FROM pg_class WHERE relname = 'reading'"
                        + " AND relnamespace = current_schema()::regnamespace")) {
            if (rs.next() && "p".equals(rs.getString(1))) {
                return StorageMode.PARTITIONED;
            }
            return StorageMode.TIMESCALE;
        }
    }

    /** Pooled connections for short queries and transactions. */
    public DataSource dataSource() {
        return pool;
    }

    /**
     * A new connection outside the pool, for a writer that holds it for its lifetime. The caller closes it.
     * Connecting and every read are bounded in time, so a writer never hangs on a half-dead socket while
     * the database restarts; it fails, and retries on a fresh connection.
     */
    public Connection newDedicatedConnection() throws SQLException {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", String.valueOf(WRITER_CONNECT_TIMEOUT_SECONDS));
        properties.setProperty("socketTimeout", String.valueOf(WRITER_SOCKET_TIMEOUT_SECONDS));
        properties.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    public StorageMode storageMode() {
        return storageMode;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        pool.close();
        if (embedded != null) {
            closeQuietly(embedded);
        }
    }

    private static void closeQuietly(EmbeddedPostgres pg) {
        try {
            pg.close();
        } catch (IOException e) {
            LOG.warn("Embedded PostgreSQL did not stop cleanly", e);
        }
    }
}
