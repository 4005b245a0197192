package org.vigil.registry.config;

import java.time.Duration;
import org.vigil.common.config.Settings;

/**
 * Registry settings.
 *
 * @param cacheSize  devices kept in each node's directory cache ({@code VIGIL_REGISTRY_CACHE_SIZE}); size it
 *                   to the number of devices that connect in a day
 * @param cacheTtl   how long a cached device is trusted without a change event ({@code VIGIL_REGISTRY_CACHE_TTL});
 *                   a safety net only, since changes invalidate the cache at once
 */
public record RegistryConfig(int cacheSize, Duration cacheTtl) {

    public static final String CACHE_SIZE = "VIGIL_REGISTRY_CACHE_SIZE";
    public static final String CACHE_TTL = "VIGIL_REGISTRY_CACHE_TTL";

    public static RegistryConfig from(Settings settings) {
        return new RegistryConfig(
                settings.integer(CACHE_SIZE, 200_000, 100, 50_000_000),
                settings.duration(CACHE_TTL, Duration.ofMinutes(30)));
    }
}
