package org.vigil.alerting.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.alerting.clinical.ClinicalEngine;
import org.vigil.alerting.clinical.PatientProfile;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.testing.BuiltInRules;
import org.vigil.common.testing.VertxAndDatabase;
import org.vigil.alerting.store.EngineStateStore;
import org.vigil.alerting.store.PatientSnapshot;
import org.vigil.common.model.Condition;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;
import org.vigil.common.testing.Poll;

/**
 * The saver against a real PostgreSQL, at a stop: a periodic round under way ends after its chunk and the stop saves
 * every changed patient, the round's remaining ones included, before it completes; past its deadline the round
 * stops after its chunk and the stop starts none.
 */
@Timeout(60)
class StateSaverIT {

    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");
    private static final int PATIENTS = 2 * StateSaver.CHUNK + 100;
    @RegisterExtension
    static final VertxAndDatabase bed = new VertxAndDatabase();

    /** A saver of an engine holding {@link #PATIENTS} patients, each with a reading, all changed since saved. */
    private static StateSaver saverOfLoadedPatients(String owner) throws Exception {
        ClinicalEngine engine = new ClinicalEngine(
                BuiltInRules.RULES);
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        AlertingMetrics metrics = new AlertingMetrics(new SimpleMeterRegistry());
        AtomicInteger loaded = new AtomicInteger();
        PatientReads reads = new PatientReads() {
            @Override
            public void history(long id, boolean useSaved, BiConsumer<Optional<PatientSnapshot>, Throwable> done) {
                PatientProfile profile = PatientProfile.of(id, NOW.minus(Duration.ofDays(30)), Condition.COPD);
                Reading spo2 = new Reading(1, id, Metric.SPO2, NOW.minusSeconds(60).toEpochMilli(), 95);
                // Answered on a later turn of the event loop, as the stored reads answer.
                PatientSnapshot snapshot = new PatientSnapshot(profile, List.of(spo2), List.of(), List.of(),
                        Map.of(1L, id));
                bed.vertx().runOnContext(v -> done.accept(Optional.of(snapshot), null));
            }

            @Override
            public void profile(long id, BiConsumer<Optional<PatientProfile>, Throwable> done) {
            }
        };
        PatientLoader loader = onContext(() -> {
            PatientLoader l = new PatientLoader(engine, reads, new PatientLoader.Results() {
                @Override
                public void signals(List<AlertSignal> signals) {
                }

                @Override
                public void loadEnded(long patientId, boolean ok) {
                    loaded.incrementAndGet();
                }
            }, new EvaluationProgress(), metrics, clock);
            l.load(LongStream.rangeClosed(1, PATIENTS).boxed().toList());
            return l;
        });
        Poll.until("every patient loaded", Duration.ofSeconds(30), () -> loaded.get() == PATIENTS);
        return new StateSaver(bed.vertx(), engine, loader, new EngineStateStore(bed.dataSource(), owner), metrics,
                clock, Duration.ofHours(1));
    }

    @Test
    void aStopSavesEveryChangedPatientTheRoundUnderWayLeft() throws Exception {
        StateSaver saver = saverOfLoadedPatients("node:stop");
        Future<Void> stopped = onContext(() -> {
            saver.saveChanged();
            return saver.saveBeforeStop(System.nanoTime() + Duration.ofSeconds(30).toNanos());
        });

        stopped.await();
        assertThat(rows("node:stop")).as("all saved when the stop's save completes").isEqualTo(PATIENTS);
    }

    @Test
    void pastItsDeadlineAStopEndsARoundUnderWayAfterItsChunkAndStartsNone() throws Exception {
        StateSaver saver = saverOfLoadedPatients("node:late");
        onContext(() -> {
            saver.saveChanged();
            return saver.saveBeforeStop(System.nanoTime() - 1);
        }).await();
        assertThat(rows("node:late")).as("the round's first chunk; the others resume older states or read history")
                .isEqualTo(StateSaver.CHUNK);
    }

    private static long rows(String owner) throws Exception {
        String sql = "SELECT count(*) FROM alert_engine_state WHERE owner = '" + owner + "'";
        try (Connection c = bed.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Runs {@code work} on a Vert.x context, as the alerting verticle runs the saver, and returns its result. */
    private static <T> T onContext(Callable<T> work) throws Exception {
        Promise<T> result = Promise.promise();
        bed.vertx().runOnContext(v -> {
            try {
                result.complete(work.call());
            } catch (Throwable e) {
                result.fail(e);
            }
        });
        return result.future().await();
    }
}
