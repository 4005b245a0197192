package org.vigil.alerting.evaluation;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.clinical.PatientProfile;
import org.vigil.alerting.store.PatientHistoryStore;
import org.vigil.common.db.SqlErrors;

/**
 * The {@link PatientLoader}'s reads from {@link PatientHistoryStore}: JDBC on workers, answers on the calling
 * verticle's event loop. A history load the database cannot serve right now is retried with backoff: the readings
 * that wait for it are stored, so they must be evaluated; any other failure is handed back as final.
 */
final class StoredPatientReads implements PatientReads {

    private static final Logger LOG = LoggerFactory.getLogger(StoredPatientReads.class);

    private final Vertx vertx;
    private final PatientHistoryStore history;
    private final Duration lookback;
    private final Clock clock;

    /** @param lookback how much history a rebuild needs ({@link org.vigil.alerting.clinical.ClinicalEngine#historyNeeded()}) */
    StoredPatientReads(Vertx vertx, PatientHistoryStore history, Duration lookback, Clock clock) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.history = Objects.requireNonNull(history, "history");
        this.lookback = Objects.requireNonNull(lookback, "lookback");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void history(long patientId, BiConsumer<Optional<PatientHistoryStore.Snapshot>, Throwable> done) {
        history(patientId, 0, done);
    }

    private void history(long patientId, int attempt,
                         BiConsumer<Optional<PatientHistoryStore.Snapshot>, Throwable> done) {
        Instant now = clock.instant();
        vertx.executeBlocking(() -> history.load(patientId, lookback, now), false).onComplete(ar -> {
            if (ar.succeeded()) {
                done.accept(ar.result(), null);
            } else if (SqlErrors.isTransient(ar.cause())) {
                long delay = SignalWriter.backoff(attempt);
                LOG.warn("Cannot load patient {} for alerting, retrying in {} ms: {}", patientId, delay,
                        ar.cause().toString());
                vertx.setTimer(delay, t -> history(patientId, attempt + 1, done));
            } else {
                done.accept(null, ar.cause());
            }
        });
    }

    @Override
    public void profile(long patientId, BiConsumer<Optional<PatientProfile>, Throwable> done) {
        vertx.executeBlocking(() -> history.profile(patientId), false)
                .onComplete(ar -> done.accept(ar.succeeded() ? ar.result() : null, ar.cause()));
    }
}
