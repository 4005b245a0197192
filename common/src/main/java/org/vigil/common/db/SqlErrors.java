package org.vigil.common.db;

import java.sql.SQLException;

/** Tells a database that is unavailable for now from a statement that will never succeed. */
public final class SqlErrors {

    private SqlErrors() {
    }

    /**
     * Whether retrying may succeed: connection errors (SQLSTATE class 08), insufficient resources (53),
     * operator intervention such as a restart (57), transaction rollback (40), and I/O failures that carry
     * no state. Anything else (syntax, data, constraint) fails the same way every time.
     */
    public static boolean isTransient(Throwable failure) {
        if (!(failure instanceof SQLException e)) {
            return false;
        }
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("53") || state.startsWith("57")
                || state.startsWith("40");
    }
}
