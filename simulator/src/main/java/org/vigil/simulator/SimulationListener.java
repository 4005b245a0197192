package org.vigil.simulator;

/**
 * Receives what a running simulation is doing: a message per phase (provisioning, connecting,
 * publishing, draining) and a {@link Progress} snapshot about once a second. Called from the
 * simulator's own threads; implementations should return quickly.
 */
public interface SimulationListener {

    /** Ignores everything; what {@link Simulator#run(SimulatorConfig)} uses. */
    SimulationListener SILENT = new SimulationListener() {
    };

    /** A phase started or finished, e.g. {@code Connected 20 devices in 0.3 s}. */
    default void phase(String message) {
    }

    /** About once a second while publishing and waiting for acknowledgements. */
    default void progress(Progress progress) {
    }
}
