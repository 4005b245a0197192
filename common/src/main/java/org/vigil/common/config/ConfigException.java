package org.vigil.common.config;

/**
 * A configuration value is missing or invalid. The message always names the key, so an operator
 * can fix the environment without reading code.
 */
public final class ConfigException extends RuntimeException {

    public ConfigException(String key, String problem) {
        super(key + ": " + problem);
    }
}
