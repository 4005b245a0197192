package org.vigil.common.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
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
import org.vigil.common.db.embedded.EmbeddedPostgresServer;

/**
 * The database Vigil runs on: an external PostgreSQL/TimescaleDB, or an embedded PostgreSQL whose data
 * survives restarts under the data directory. Opening it migrates the schema and detects the storage
 * mode; closing it closes the pool and stops the embedded server.
 *
 * <p>All methods block; call them at start-up or from worker threads, never from an event loop.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    /**
     * Where every module keeps its schema migrations: the same path in each jar, so Flyway finds those of every
     * module on the classpath and runs them in one history, in version order. A module owns the migrations of
     * its own tables (docs/architecture.md, "Module boundaries"); the two left here, V1 and V3, are the base the
     * others build on: registry's V7 alters V3's {@code alert}, and V3 references V1's doctors and patients, so
     * they sit below every module. Files keep their names and contents when they move, so checksums of
     * installed databases still match.
     */
    public static final String MIGRATIONS = "classpath:org/vigil/db/migration";
    private static final String EMBEDDED_DB = "vigil";
    private static final int WRITER_CONNECT_TIMEOUT_SECONDS = 5;
    /** Far above any batch's commit time, far below "forever". */
    private static final int WRITER_SOCKET_TIMEOUT_SECONDS = 60;

    private final EmbeddedPostgresServer embedded;
    private final HikariDataSource pool;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final StorageMode storageMode;

    private Database(EmbeddedPostgresServer embedded, String jdbcUrl, String user, String password, DatabaseConfig config) {
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
        EmbeddedPostgresServer pg = startEmbedded(config);
        try {
            ensureDatabase(pg);
            return new Database(pg, pg.jdbcUrl(EMBEDDED_DB), pg.user(), pg.password(), config);
        } catch (RuntimeException e) {
            pg.close();
            throw e;
        }
    }

    private static EmbeddedPostgresServer startEmbedded(DatabaseConfig config) {
        try {
            return EmbeddedPostgresServer.start(config.dataDir(), config.startTimeout());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the embedded PostgreSQL in "
                    + config.dataDir().toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    private static void ensureDatabase(EmbeddedPostgresServer pg) {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), pg.user(), pg.password());
                Statement s = c.createStatement()) {
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
                .locations(MIGRATIONS)
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

    /** How often the embedded server was found gone and restarted; 0 for an external database. */
    public long embeddedRestarts() {
        return embedded == null ? 0 : embedded.restarts();
    }

    /** True while the embedded server is found gone and being restarted. */
    public boolean embeddedRestarting() {
        return embedded != null && embedded.restarting();
    }

    /** Closes the pool, then stops the embedded server; call it after everything that writes has stopped. */
    @Override
    public void close() {
        pool.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}
