package org.vigil.common.config;

/**
 * A configuration value is missing or invalid. The message always names the key, so an operator
 * can fix the environment without reading code.
 */
public final class ConfigException extends RuntimeException {

    private final String key;

    public ConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    /** The key (or place in a document, {@code rules[3].bands[0]}) at fault. */
    public String key() {
        return key;
    }
}
