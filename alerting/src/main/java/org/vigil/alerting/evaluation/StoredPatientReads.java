package org.vigil.alerting.evaluation;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.clinical.PatientProfile;
import org.vigil.alerting.store.EngineStateStore;
import org.vigil.alerting.store.PatientHistoryStore;
import org.vigil.alerting.store.PatientSnapshot;
import org.vigil.common.db.SqlErrors;

/**
 * The {@link PatientLoader}'s reads from {@link PatientHistoryStore}: JDBC on workers, answers on the calling
 * verticle's event loop. The histories asked for in one turn of the event loop are read together, up to
 * {@link #MAX_BATCH} patients in one transaction ({@link PatientHistoryStore#loadAll}): a node given partitions
 * rebuilds tens of thousands of patients, and per-patient queries made that minutes of database round trips.
 * A load the database cannot serve right now is retried with backoff: the readings that wait for it are stored,
 * so they must be evaluated. Any other failure of a batch is tried again patient by patient, so that only a patient
 * whose data cannot be read is handed the failure as final.
 */
final class StoredPatientReads implements PatientReads {

    /** Patients whose histories one transaction reads at most. */
    static final int MAX_BATCH = 200;

    private static final Logger LOG = LoggerFactory.getLogger(StoredPatientReads.class);

    private final Vertx vertx;
    private final PatientHistoryStore history;
    private final Duration lookback;
    private final Clock clock;
    private final EngineStateStore.SavedStates savedStates;
    /**
     * Histories asked for since the last flush, in order, with whoever waits for each (with saved state where
     * there is one); and those asked for without it.
     */
    private Map<Long, List<Answer>> asked = new LinkedHashMap<>();
    private Map<Long, List<Answer>> askedWhole = new LinkedHashMap<>();

    /** Whoever waits for a history (a shorter name for the callback). */
    private interface Answer extends BiConsumer<Optional<PatientSnapshot>, Throwable> {
    }

    /**
     * @param lookback    how much history a rebuild needs ({@code ClinicalEngine.historyNeeded()})
     * @param savedStates which saved engine state stands in for a history when asked to, or {@code null} for none
     */
    StoredPatientReads(Vertx vertx, PatientHistoryStore history, Duration lookback, Clock clock,
                       EngineStateStore.SavedStates savedStates) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.history = Objects.requireNonNull(history, "history");
        this.lookback = Objects.requireNonNull(lookback, "lookback");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.savedStates = savedStates;
    }

    @Override
    public void history(long patientId, boolean useSaved,
                        BiConsumer<Optional<PatientSnapshot>, Throwable> done) {
        if (asked.isEmpty() && askedWhole.isEmpty()) {
            vertx.runOnContext(v -> flush());
        }
        (useSaved && savedStates != null ? asked : askedWhole).computeIfAbsent(patientId, id -> new ArrayList<>())
                .add(done::accept);
    }

    private void flush() {
        // Taken before the loads start: a load that ends before its handler is attached answers at once, on this
        // thread, and the histories its patients' successors ask for then must go into maps that a new flush takes.
        Map<Long, List<Answer>> withSaved = asked;
        Map<Long, List<Answer>> whole = askedWhole;
        asked = new LinkedHashMap<>();
        askedWhole = new LinkedHashMap<>();
        flush(withSaved, savedStates);
        flush(whole, null);
    }

    private void flush(Map<Long, List<Answer>> all, EngineStateStore.SavedStates saved) {
        Map<Long, List<Answer>> batch = new LinkedHashMap<>();
        for (Map.Entry<Long, List<Answer>> e : all.entrySet()) {
            batch.put(e.getKey(), e.getValue());
            if (batch.size() == MAX_BATCH) {
                load(batch, saved, 0);
                batch = new LinkedHashMap<>();
            }
        }
        if (!batch.isEmpty()) {
            load(batch, saved, 0);
        }
    }

    private void load(Map<Long, List<Answer>> batch, EngineStateStore.SavedStates saved, int attempt) {
        Instant now = clock.instant();
        vertx.executeBlocking(() -> history.loadAll(batch.keySet(), lookback, now, saved), false).onComplete(ar -> {
            if (ar.succeeded()) {
                batch.forEach((id, answers) -> answer(answers, Optional.ofNullable(ar.result().get(id)), null));
            } else if (SqlErrors.isTransient(ar.cause())) {
                long delay = SignalWriter.backoff(attempt);
                LOG.warn("Cannot load {} patients for alerting, retrying in {} ms: {}", batch.size(), delay,
                        ar.cause().toString());
                vertx.setTimer(delay, t -> load(batch, saved, attempt + 1));
            } else if (batch.size() > 1) {
                batch.forEach((id, answers) -> load(Map.of(id, answers), saved, attempt));
            } else {
                batch.values().forEach(answers -> answer(answers, null, ar.cause()));
            }
        });
    }

    private static void answer(List<Answer> answers, Optional<PatientSnapshot> snapshot,
                               Throwable failure) {
        answers.forEach(a -> a.accept(snapshot, failure));
    }

    @Override
    public void profile(long patientId, BiConsumer<Optional<PatientProfile>, Throwable> done) {
        vertx.executeBlocking(() -> history.profile(patientId), false)
                .onComplete(ar -> done.accept(ar.succeeded() ? ar.result() : null, ar.cause()));
    }
}
