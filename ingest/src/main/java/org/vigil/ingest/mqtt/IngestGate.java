package org.vigil.ingest.mqtt;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What all MQTT verticles of a node share: the connection count against its limit, and whether the node
 * is draining for shutdown (no new connections, no new messages; what is queued is still written and
 * acknowledged). Thread-safe.
 */
public final class IngestGate {

    private final int maxConnections;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();

    public IngestGate(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    /** Claims a connection slot; false when the node is full. Release it with {@link #release()}. */
    boolean tryAdmit() {
        while (true) {
            int n = connections.get();
            if (n >= maxConnections) {
                return false;
            }
            if (connections.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        connections.decrementAndGet();
    }

    public int connections() {
        return connections.get();
    }

    /** Stops admitting connections and messages. */
    public void drain() {
        draining.set(true);
    }

    public boolean draining() {
        return draining.get();
    }
}
