package org.vigil.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.vigil.common.app.PeriodicJob;

/**
 * Checks every {@code interval} that the database answers, and exports the answer as {@code vigil_database_up}
 * (1 or 0), so an alert rule can tell "database unavailable" from "nothing happening". The check borrows a pooled
 * connection on a worker thread; a scrape only reads the last answer and never waits for the database. A check
 * still running when the next is due is not doubled.
 */
final class DatabaseProbe extends VerticleBase {

    static final String UP = "vigil.database.up";
    private static final int VALID_TIMEOUT_SECONDS = 2;

    private final DataSource dataSource;
    private final Duration interval;
    private final AtomicInteger up = new AtomicInteger(1);
    private PeriodicJob<Boolean> job;

    DatabaseProbe(DataSource dataSource, Duration interval, MeterRegistry meters) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.interval = Objects.requireNonNull(interval, "interval");
        Gauge.builder(UP, up, AtomicInteger::get)
                .description("1 when the database answered the last check, 0 when it did not").register(meters);
    }

    @Override
    public Future<?> start() {
        job = new PeriodicJob<>(vertx, interval, this::check, ar -> up.set(ar.succeeded() && ar.result() ? 1 : 0));
        job.start(true);
        return Future.succeededFuture();
    }

    private boolean check() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(VALID_TIMEOUT_SECONDS);
        }
    }

    @Override
    public Future<?> stop() {
        if (job != null) {
            job.stop();
        }
        return Future.succeededFuture();
    }
}
