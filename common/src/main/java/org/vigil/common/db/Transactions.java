package org.vigil.common.db;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Runs work in one transaction on a connection of its own: committed if it returns, rolled back if it throws. */
public final class Transactions {

    /** Work done on the transaction's connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private Transactions() {
    }

    public static <T> T run(DataSource dataSource, Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                // The pool restores auto-commit when the connection goes back; resetting it here could throw on a
                // broken connection and hide the real failure.
                c.rollback();
                throw e;
            }
        }
    }
}
