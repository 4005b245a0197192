package org.vigil.common.app;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;

/**
 * One of the server's roles ({@code registry}, {@code ingest}, {@code alerting}). The launcher starts
 * the roles it is asked for in one process; each talks to the others only through the event bus and
 * the database, so any of them can run in a process of its own.
 */
public interface Role {

    /** The name used in {@code VIGIL_ROLES}. */
    String name();

    /** Deploys the role's verticles; completes when it serves. */
    Future<Void> start();

    /** Adds the role's REST routes to the {@code /api/v1} router (requests arrive authenticated). */
    void mount(Router api);

    /**
     * Why the role cannot take its share of work yet, or null when it can; {@code /health} answers 503 while any role
     * says why. A role is ready once started unless it waits for something after that (in cluster mode: partitions
     * to own and rebuild).
     */
    default String notReady() {
        return null;
    }

    /**
     * Why the role, although it serves, cannot do all its work now, or null: {@code /health} names it under
     * {@code degraded} and stays 200, because taking the node out of its load balancer would not help (in cluster
     * mode: hand-offs to Kafka failing while ingest goes on).
     */
    default String degraded() {
        return null;
    }

    /** Stops taking work and finishes what it holds (for ingest: writes every buffered reading). */
    Future<Void> stop();
}
