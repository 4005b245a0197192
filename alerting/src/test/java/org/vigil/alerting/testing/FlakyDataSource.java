package org.vigil.alerting.testing;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source whose first connection requests fail as given, and whose later ones are the real database's: a
 * database that is unavailable for a while, or a failure that never ends. Thread-safe.
 */
public final class FlakyDataSource implements DataSource {

    private final DataSource real;
    private final Queue<Throwable> failures = new ArrayDeque<>();
    private final Throwable always;
    private final AtomicInteger requests = new AtomicInteger();

    private FlakyDataSource(DataSource real, Throwable always) {
        this.real = Objects.requireNonNull(real, "real");
        this.always = always;
    }

    /** Fails the first requests with {@code failures}, in order (an unchecked one thrown as it is), then connects. */
    public static FlakyDataSource failingFirst(DataSource real, Throwable... failures) {
        FlakyDataSource ds = new FlakyDataSource(real, null);
        ds.failures.addAll(List.of(failures));
        return ds;
    }

    /** Fails every request with {@code failure}. */
    public static FlakyDataSource failingAlways(DataSource real, Throwable failure) {
        return new FlakyDataSource(real, Objects.requireNonNull(failure, "failure"));
    }

    /** Connection requests so far, failed or not. */
    public int requests() {
        return requests.get();
    }

    @Override
    public Connection getConnection() throws SQLException {
        requests.incrementAndGet();
        Throwable failure;
        synchronized (failures) {
            failure = always != null ? always : failures.poll();
        }
        if (failure instanceof SQLException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalArgumentException("only SQLException or unchecked failures", failure);
        }
        return real.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the real data source's credentials only");
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return real.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        real.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        real.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return real.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return real.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return real.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return real.isWrapperFor(iface);
    }
}
