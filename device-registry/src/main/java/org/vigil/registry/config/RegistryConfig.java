package org.vigil.registry.config;

import java.time.Duration;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;

/**
 * Registry settings.
 *
 * @param cacheSize        devices kept in each node's directory cache ({@code VIGIL_REGISTRY_CACHE_SIZE}); size it
 *                         to the number of devices that connect in a day
 * @param cacheTtl         how long a cached device is trusted without a change event ({@code VIGIL_REGISTRY_CACHE_TTL});
 *                         a safety net only, since changes invalidate the cache at once
 * @param tokenLifetime    how long a doctor's new token is valid, and the longest an administrator may ask for
 *                         ({@code VIGIL_DOCTOR_TOKEN_LIFETIME})
 * @param tokenCacheTtl    how long a node trusts what it read about a doctor's token ({@code VIGIL_DOCTOR_TOKEN_CACHE_TTL}).
 *                         Revocation and deactivation are announced and evict at once; this bounds how long a node
 *                         that missed the announcement (another process on the same database) goes on accepting
 * @param refusalAuditWindow refused requests are summed per caller and reason over this window before one audit
 *                         event records them ({@code VIGIL_ACCESS_AUDIT_WINDOW}), so a flood cannot flood the audit log
 * @param console          the console's accounts and sessions
 */
public record RegistryConfig(int cacheSize, Duration cacheTtl, Duration tokenLifetime, Duration tokenCacheTtl,
        Duration refusalAuditWindow, Console console) {

    /**
     * Console sign-in.
     *
     * @param sessionLifetime  how long a console session lasts after sign-in ({@code VIGIL_CONSOLE_SESSION_LIFETIME})
     * @param setupLinkLifetime how long a one-time set-password link works ({@code VIGIL_CONSOLE_SETUP_LINK_LIFETIME})
     * @param maxFailures      failed sign-ins in a row after which the account is locked for a while
     *                         ({@code VIGIL_CONSOLE_SIGNIN_FAILURES})
     * @param lockout          how long such a lock lasts, doubling with every further failure up to a day
     *                         ({@code VIGIL_CONSOLE_SIGNIN_LOCKOUT})
     */
    public record Console(Duration sessionLifetime, Duration setupLinkLifetime, int maxFailures, Duration lockout) {

        public static final Console DEFAULTS = new Console(Duration.ofHours(12), Duration.ofDays(3), 5,
                Duration.ofMinutes(5));

        public Console {
            if (sessionLifetime.compareTo(MIN_TOKEN_LIFETIME) < 0 || sessionLifetime.compareTo(Duration.ofDays(7)) > 0) {
                throw new ConfigException(SESSION_LIFETIME, "must be between 1m and 7d");
            }
            if (setupLinkLifetime.compareTo(MIN_TOKEN_LIFETIME) < 0 || setupLinkLifetime.compareTo(Duration.ofDays(30)) > 0) {
                throw new ConfigException(SETUP_LINK_LIFETIME, "must be between 1m and 30d");
            }
            if (lockout.isNegative() || lockout.compareTo(Duration.ofDays(1)) > 0) {
                throw new ConfigException(SIGNIN_LOCKOUT, "must be between 0s and 1d");
            }
        }
    }

    public static final String SESSION_LIFETIME = "VIGIL_CONSOLE_SESSION_LIFETIME";
    public static final String SETUP_LINK_LIFETIME = "VIGIL_CONSOLE_SETUP_LINK_LIFETIME";
    public static final String SIGNIN_FAILURES = "VIGIL_CONSOLE_SIGNIN_FAILURES";
    public static final String SIGNIN_LOCKOUT = "VIGIL_CONSOLE_SIGNIN_LOCKOUT";

    public static final String CACHE_SIZE = "VIGIL_REGISTRY_CACHE_SIZE";
    public static final String CACHE_TTL = "VIGIL_REGISTRY_CACHE_TTL";
    public static final String TOKEN_LIFETIME = "VIGIL_DOCTOR_TOKEN_LIFETIME";
    public static final String TOKEN_CACHE_TTL = "VIGIL_DOCTOR_TOKEN_CACHE_TTL";
    public static final String REFUSAL_AUDIT_WINDOW = "VIGIL_ACCESS_AUDIT_WINDOW";

    public static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofDays(90);
    public static final Duration DEFAULT_TOKEN_CACHE_TTL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REFUSAL_AUDIT_WINDOW = Duration.ofSeconds(30);
    /** Shorter than this is not a working token; longer than a year is not an expiry. */
    public static final Duration MIN_TOKEN_LIFETIME = Duration.ofMinutes(1);
    public static final Duration MAX_TOKEN_LIFETIME = Duration.ofDays(366);

    public RegistryConfig {
        if (tokenLifetime.compareTo(MIN_TOKEN_LIFETIME) < 0 || tokenLifetime.compareTo(MAX_TOKEN_LIFETIME) > 0) {
            throw new ConfigException(TOKEN_LIFETIME, "must be between 1m and 366d");
        }
        if (tokenCacheTtl.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigException(TOKEN_CACHE_TTL, "at most 1m: it is how long a withdrawn token may still work");
        }
        if (refusalAuditWindow.toMillis() < 10 || refusalAuditWindow.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigException(REFUSAL_AUDIT_WINDOW, "must be between 10ms and 1h");
        }
    }

    /** The device cache alone, everything else at its default. */
    public RegistryConfig(int cacheSize, Duration cacheTtl) {
        this(cacheSize, cacheTtl, DEFAULT_TOKEN_LIFETIME, DEFAULT_TOKEN_CACHE_TTL, DEFAULT_REFUSAL_AUDIT_WINDOW,
                Console.DEFAULTS);
    }

    public static RegistryConfig from(Settings settings) {
        return new RegistryConfig(
                settings.integer(CACHE_SIZE, 200_000, 100, 50_000_000),
                settings.duration(CACHE_TTL, Duration.ofMinutes(30)),
                settings.duration(TOKEN_LIFETIME, DEFAULT_TOKEN_LIFETIME),
                settings.duration(TOKEN_CACHE_TTL, DEFAULT_TOKEN_CACHE_TTL),
                settings.duration(REFUSAL_AUDIT_WINDOW, DEFAULT_REFUSAL_AUDIT_WINDOW),
                new Console(settings.duration(SESSION_LIFETIME, Console.DEFAULTS.sessionLifetime()),
                        settings.duration(SETUP_LINK_LIFETIME, Console.DEFAULTS.setupLinkLifetime()),
                        settings.integer(SIGNIN_FAILURES, Console.DEFAULTS.maxFailures(), 1, 1000),
                        settings.duration(SIGNIN_LOCKOUT, Console.DEFAULTS.lockout())));
    }
}
