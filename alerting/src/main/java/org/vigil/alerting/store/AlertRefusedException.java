package org.vigil.alerting.store;

/**
 * A doctor's action the alert's state does not allow: the alert does not exist, or is already resolved. A domain
 * error: the HTTP layer decides what the caller is told.
 */
public final class AlertRefusedException extends RuntimeException {

    /** Why the action was refused. */
    public enum Reason {
        /** No alert has this id. */
        UNKNOWN,
        /** The alert is resolved: nothing more can be done with it. */
        RESOLVED
    }

    private final long alertId;
    private final Reason reason;

    AlertRefusedException(long alertId, Reason reason) {
        super("alert " + alertId + (reason == Reason.UNKNOWN ? " does not exist" : " is already resolved"));
        this.alertId = alertId;
        this.reason = reason;
    }

    public long alertId() {
        return alertId;
    }

    public Reason reason() {
        return reason;
    }
}
