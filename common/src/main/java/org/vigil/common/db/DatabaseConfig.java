package org.vigil.common.db;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;

/**
 * Where the data lives.
 *
 * @param url        JDBC URL of an external PostgreSQL or TimescaleDB ({@code VIGIL_DB_URL}); empty means
 *                   start the embedded PostgreSQL under {@code dataDir}
 * @param user       database user ({@code VIGIL_DB_USER})
 * @param password   database password ({@code VIGIL_DB_PASSWORD})
 * @param poolSize   connections for API queries and alert writes ({@code VIGIL_DB_POOL_SIZE}); the ingest
 *                   writers hold their own connections on top of these
 * @param dataDir    directory for the embedded database and generated secrets ({@code VIGIL_DATA_DIR})
 * @param timescale  {@code auto} uses TimescaleDB when the extension is available, {@code off} never
 *                   ({@code VIGIL_DB_TIMESCALE}); only read when the schema is first created
 * @param connectTimeout how long a request waits for a pooled connection before failing
 *                   ({@code VIGIL_DB_CONNECT_TIMEOUT}); short, so an outage is answered with "unavailable"
 *                   instead of hanging devices and API clients
 * @param startTimeout how long the embedded PostgreSQL may take to come up ({@code VIGIL_DB_START_TIMEOUT});
 *                   generous, as crash recovery after a power cut replays the write-ahead log first. A server
 *                   that fails outright is reported at once, with PostgreSQL's own lines
 */
public record DatabaseConfig(Optional<String> url, String user, String password, int poolSize, Path dataDir,
        String timescale, Duration connectTimeout, Duration startTimeout) {

    public static final String URL = "VIGIL_DB_URL";
    public static final String USER = "VIGIL_DB_USER";
    public static final String PASSWORD = "VIGIL_DB_PASSWORD";
    public static final String POOL_SIZE = "VIGIL_DB_POOL_SIZE";
    public static final String DATA_DIR = "VIGIL_DATA_DIR";
    public static final String TIMESCALE = "VIGIL_DB_TIMESCALE";
    public static final String CONNECT_TIMEOUT = "VIGIL_DB_CONNECT_TIMEOUT";
    public static final String START_TIMEOUT = "VIGIL_DB_START_TIMEOUT";

    public DatabaseConfig {
        if (url.isPresent() && !url.get().startsWith("jdbc:postgresql:")) {
            throw new ConfigException(URL, "must be a jdbc:postgresql: URL, got '" + url.get() + "'");
        }
        if (!timescale.equals("auto") && !timescale.equals("off")) {
            throw new ConfigException(TIMESCALE, "expected auto or off, got '" + timescale + "'");
        }
        if (connectTimeout.toMillis() < 250) {
            throw new ConfigException(CONNECT_TIMEOUT, "at least 250ms");
        }
        if (startTimeout.toSeconds() < 10) {
            throw new ConfigException(START_TIMEOUT, "at least 10s");
        }
    }

    public static DatabaseConfig from(Settings settings) {
        return new DatabaseConfig(
                settings.optional(URL),
                settings.string(USER, "vigil"),
                settings.string(PASSWORD, ""),
                settings.integer(POOL_SIZE, 10, 1, 500),
                settings.path(DATA_DIR, Path.of("data")),
                settings.string(TIMESCALE, "auto"),
                settings.duration(CONNECT_TIMEOUT, Duration.ofSeconds(5)),
                settings.duration(START_TIMEOUT, Duration.ofMinutes(10)));
    }

    public boolean embedded() {
        return url.isEmpty();
    }
}
