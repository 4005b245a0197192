package org.vigil.simulator;

/**
 * A simulation could not run: the API refused provisioning, a device could not connect, a file could
 * not be written. The message says what failed and, where known, which option to check. The CLI exits
 * with status 1 on this exception.
 */
public final class SimulatorException extends RuntimeException {

    public SimulatorException(String message) {
        super(message);
    }

    public SimulatorException(String message, Throwable cause) {
        super(message, cause);
    }
}
