package org.vigil.server.config;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;
import org.vigil.common.db.DatabaseConfig;

/**
 * Settings of the launcher itself; each role reads its own record.
 *
 * @param httpHost       interface the REST API binds to ({@code VIGIL_HTTP_HOST})
 * @param httpPort       REST API port ({@code VIGIL_HTTP_PORT})
 * @param roles          roles this process runs ({@code VIGIL_ROLES}, comma-separated, all by default)
 * @param adminToken     bearer token for the operations API ({@code VIGIL_ADMIN_TOKEN}); when unset on the
 *                       embedded database one is generated into the data directory
 * @param database       where the data lives
 */
public record ServerConfig(String httpHost, int httpPort, Set<String> roles, Optional<String> adminToken,
        DatabaseConfig database) {

    public static final String HTTP_HOST = "VIGIL_HTTP_HOST";
    public static final String HTTP_PORT = "VIGIL_HTTP_PORT";
    public static final String ROLES = "VIGIL_ROLES";
    public static final String ADMIN_TOKEN = "VIGIL_ADMIN_TOKEN";

    /** Every role, in start order: alerting listens before ingest sends it anything. */
    public static final List<String> ALL_ROLES = List.of("registry", "alerting", "ingest");
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
                roles,
                settings.optional(ADMIN_TOKEN),
                DatabaseConfig.from(settings));
    }
}
