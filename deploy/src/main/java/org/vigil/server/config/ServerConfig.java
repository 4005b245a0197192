package org.vigil.server.config;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;
import org.vigil.common.config.TlsFiles;
import org.vigil.common.db.DatabaseConfig;

/**
 * Settings of the launcher itself; each role reads its own record.
 *
 * @param httpHost       interface the REST API binds to ({@code VIGIL_HTTP_HOST})
 * @param httpPort       plain HTTP port of the REST API and live feeds ({@code VIGIL_HTTP_PORT})
 * @param httpPlain      whether the plain HTTP port is open ({@code VIGIL_HTTP_PLAIN}); false requires HTTPS
 * @param httpTls        HTTPS, the same API and feeds on a port of its own ({@code VIGIL_HTTP_TLS_PORT}), when a
 *                       certificate ({@code VIGIL_HTTP_TLS_CERT}) and key ({@code VIGIL_HTTP_TLS_KEY}) are configured,
 *                       so plain HTTP can stay open inside a clinic network or be closed ({@code VIGIL_HTTP_PLAIN=false})
 * @param roles          roles this process runs ({@code VIGIL_ROLES}, comma-separated, all by default)
 * @param adminToken     bearer token for the operations API ({@code VIGIL_ADMIN_TOKEN}); when unset on the
 *                       embedded database one is generated into the data directory
 * @param database       where the data lives
 */
public record ServerConfig(String httpHost, int httpPort, boolean httpPlain, Optional<TlsFiles.Listener> httpTls,
        Set<String> roles, Optional<String> adminToken, DatabaseConfig database) {

    public static final String HTTP_HOST = "VIGIL_HTTP_HOST";
    public static final String HTTP_PORT = "VIGIL_HTTP_PORT";
    public static final String HTTP_PLAIN = "VIGIL_HTTP_PLAIN";
    public static final String HTTP_TLS_PORT = "VIGIL_HTTP_TLS_PORT";
    public static final String HTTP_TLS_CERT = "VIGIL_HTTP_TLS_CERT";
    public static final String HTTP_TLS_KEY = "VIGIL_HTTP_TLS_KEY";
    public static final String ROLES = "VIGIL_ROLES";
    public static final String ADMIN_TOKEN = "VIGIL_ADMIN_TOKEN";

    /** Every role, in start order: alerting and chronic listen before ingest sends them anything. */
    public static final List<String> ALL_ROLES = List.of("registry", "alerting", "chronic", "ingest");
    private static final int MIN_TOKEN_LENGTH = 16;

    public ServerConfig {
        roles = Set.copyOf(roles);
        if (adminToken.isPresent() && adminToken.get().length() < MIN_TOKEN_LENGTH) {
            throw new ConfigException(ADMIN_TOKEN, "must be at least " + MIN_TOKEN_LENGTH
                    + " characters: it guards every patient's data");
        }
        if (adminToken.isEmpty() && !database.embedded()) {
            throw new ConfigException(ADMIN_TOKEN, "is required when VIGIL_DB_URL points at an external database");
        }
        if (!httpPlain && httpTls.isEmpty()) {
            throw new ConfigException(HTTP_PLAIN, "false needs HTTPS: set " + HTTP_TLS_CERT + " and " + HTTP_TLS_KEY);
        }
        if (httpPlain && httpTls.isPresent() && httpPort != 0 && httpTls.get().port() == httpPort) {
            throw new ConfigException(HTTP_TLS_PORT, httpPort + " is also " + HTTP_PORT
                    + "; give HTTPS a port of its own, or set " + HTTP_PLAIN + "=false");
        }
        httpTls.ifPresent(tls -> TlsFiles.check(HTTP_TLS_CERT, tls.certPath(), HTTP_TLS_KEY, tls.keyPath()));
    }

    public static ServerConfig from(Settings settings) {
        Set<String> roles = new LinkedHashSet<>();
        for (String role : settings.string(ROLES, String.join(",", ALL_ROLES)).split(",")) {
            String r = role.trim();
            if (r.isEmpty()) {
                continue;
            }
            if (!ALL_ROLES.contains(r)) {
                throw new ConfigException(ROLES, "unknown role '" + r + "'; roles are " + String.join(", ", ALL_ROLES));
            }
            roles.add(r);
        }
        if (roles.isEmpty()) {
            throw new ConfigException(ROLES, "names no role");
        }
        return new ServerConfig(
                settings.string(HTTP_HOST, "0.0.0.0"),
                settings.integer(HTTP_PORT, 8080, 0, 65535),
                settings.bool(HTTP_PLAIN, true),
                httpTls(settings),
                roles,
                settings.optional(ADMIN_TOKEN),
                DatabaseConfig.from(settings));
    }

    private static Optional<TlsFiles.Listener> httpTls(Settings settings) {
        return TlsFiles.listener(settings, HTTP_TLS_PORT, 8443, HTTP_TLS_CERT, HTTP_TLS_KEY,
                "HTTPS needs both a certificate (" + HTTP_TLS_CERT + ") and a key (" + HTTP_TLS_KEY + ")");
    }
}
