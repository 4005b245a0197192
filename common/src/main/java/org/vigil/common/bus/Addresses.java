package org.vigil.common.bus;

/**
 * Event-bus addresses through which the roles talk. Each names who sends and what the body is, so a
 * role can run in its own process on the clustered event bus without knowing where the others are.
 */
public final class Addresses {

    /**
     * Ingest sends a {@link ReadingBatch} here once its readings are committed to storage. Point to
     * point: exactly one alerting consumer evaluates each batch.
     */
    public static final String READINGS_STORED = "vigil.readings.stored";

    /**
     * Alerting publishes a JSON alert ({@code {"change": "opened" | "escalated" | "acknowledged", "alert": {...}}})
     * here whenever a doctor should hear of it; every node relays it to the live feeds it serves.
     */
    public static final String ALERT_CHANGED = "vigil.alerts.changed";

    /**
     * The registry publishes {@code {"kind": "device", "serial": ...}} here when a registry entity changes,
     * so every node drops its cached copy at once instead of waiting for a TTL.
     */
    public static final String REGISTRY_CHANGED = "vigil.registry.changed";

    private Addresses() {
    }
}
