package org.vigil.common.db;

import java.sql.SQLException;
import java.sql.SQLTransientException;

/**
 * Tells a database that is unavailable for now from a statement that will never succeed: the one definition of
 * "transient" for every retry path and for the API's 503.
 *
 * <p>The failure's whole cause chain is searched, because failures arrive wrapped: a cache's
 * {@code CompletionException}, a store's {@code RuntimeException}, a statement's {@code SQLException} around the
 * connection's.
 */
public final class SqlErrors {

    /** Deeper than any wrapping seen, and a stop for a chain whose causes loop. */
    private static final int MAX_CAUSES = 32;

    private SqlErrors() {
    }

    /**
     * Whether retrying may succeed: {@code failure} or one of its causes is transient by {@link #transientCause}.
     * Anything else (syntax, data, constraint, a bug) fails the same way every time.
     */
    public static boolean isTransient(Throwable failure) {
        return transientCause(failure) != null;
    }

    /**
     * The first exception on {@code failure}'s cause chain, itself included, that retrying may mend, or null when
     * there is none (or {@code failure} is null). Transient are an {@link SQLTransientException} whatever its state
     * (the pool's "no connection within the timeout" carries the last connection failure's state, or none), and an
     * {@link SQLException} whose SQLSTATE is of class 08 (connection), 53 (insufficient resources), 57 (operator
     * intervention such as a restart) or 40 (transaction rollback), or that has no state (an I/O failure). The
     * search stops after {@value #MAX_CAUSES} causes, so a chain that loops ends.
     */
    public static Throwable transientCause(Throwable failure) {
        Throwable t = failure;
        for (int i = 0; t != null && i < MAX_CAUSES; i++) {
            if (isTransientItself(t)) {
                return t;
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return null;
    }

    private static boolean isTransientItself(Throwable t) {
        if (t instanceof SQLTransientException) {
            return true;
        }
        if (!(t instanceof SQLException e)) {
            return false;
        }
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("53") || state.startsWith("57")
                || state.startsWith("40");
    }
}
