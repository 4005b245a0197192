package org.vigil.alerting.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.testing.BuiltInRules;
import org.vigil.common.testing.VertxAndDatabase;
import org.vigil.alerting.store.AlertSignalStore;
import org.vigil.alerting.testing.CareTree;
import org.vigil.alerting.testing.FlakyDataSource;
import org.vigil.common.bus.Addresses;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;
import org.vigil.common.testing.Poll;

/**
 * The writer against a real PostgreSQL whose connections fail for a while: a signal whose write the database cannot
 * serve right now, however the failure is wrapped, is retried until it is recorded; one that can never be written is
 * dropped after one attempt.
 */
@Timeout(60)
class SignalWriterIT {

    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");
    @RegisterExtension
    static final VertxAndDatabase bed = new VertxAndDatabase();
    private static CareTree tree;

    @BeforeAll
    static void open() {
        tree = new CareTree(bed.dataSource());
    }

    static Stream<Named<Throwable>> transientFailures() {
        return Stream.of(
                // The pool's timeout carries the last connection failure's state, which alone would be permanent.
                Named.of("pool timeout", new SQLTransientConnectionException(
                        "vigil-db - Connection is not available, request timed out after 5000ms", "28P01")),
                Named.of("wrapped refusal", new CompletionException(
                        new SQLException("Connection to 127.0.0.1:5432 refused", "08001"))));
    }

    @ParameterizedTest
    @MethodSource("transientFailures")
    void aSignalWhoseWriteFailsTransientlyIsRetriedAndRecorded(Throwable failure) throws Exception {
        long patient = newPatient();
        FlakyDataSource ds = FlakyDataSource.failingFirst(bed.dataSource(), failure);
        CompletableFuture<JsonObject> announced = new CompletableFuture<>();
        MessageConsumer<JsonObject> changes = bed.vertx().eventBus().consumer(Addresses.ALERT_CHANGED, m -> {
            if (m.body().getJsonObject("alert").getLong("patientId") == patient) {
                announced.complete(m.body());
            }
        });
        changes.completion().await();
        try {
            write(ds, patient).awaitFinished();

            assertThat(alerts(patient)).as("recorded, not dropped").isEqualTo(1);
            assertThat(announced.get(10, TimeUnit.SECONDS).getString("change")).isEqualTo("opened");
            assertThat(ds.requests()).as("one failed attempt, one that succeeded").isEqualTo(2);
        } finally {
            changes.unregister().await();
        }
    }

    /** Verifies that a failure which will recur on every attempt is not retried forever. */
    @Test
    void aSignalThatCanNeverBeWrittenIsDroppedAfterOneAttempt() throws Exception {
        long patient = newPatient();
        FlakyDataSource ds = FlakyDataSource.failingAlways(bed.dataSource(),
                new SQLException("duplicate key value violates unique constraint", "23505"));

        write(ds, patient).awaitFinished();

        Thread.sleep(500); // longer than the first backoff: a retry would have asked again by now
        assertThat(ds.requests()).isEqualTo(1);
        assertThat(alerts(patient)).isZero();
    }

    /** A writer on its own event-loop context, given one opening signal for {@code patient}. */
    private static Writing write(FlakyDataSource ds, long patient) {
        Context context = bed.vertx().getOrCreateContext();
        EvaluationProgress progress = new EvaluationProgress();
        SignalWriter writer = new SignalWriter(bed.vertx(), new AlertSignalStore(ds, BuiltInRules.RULES::valueUnit),
                new AlertingMetrics(new SimpleMeterRegistry()), Clock.fixed(NOW, ZoneOffset.UTC), progress);
        AlertSignal open = new AlertSignal(patient, "blood_pressure_high", AlertSignal.Kind.OPEN, Severity.WARNING,
                Metric.SYSTOLIC_BP, 165, 165, NOW.minusSeconds(60).toEpochMilli(), false, "systolic 165", 1, 0);
        context.runOnContext(v -> writer.write(List.of(open)));
        return new Writing(context, progress);
    }

    /** A writer's progress, read on its context. */
    private record Writing(Context context, EvaluationProgress progress) {

        /** Waits until the signal has left the queue, recorded or dropped. */
        void awaitFinished() throws Exception {
            Poll.until("the signal leaves the writer's queue", Duration.ofSeconds(30), () -> {
                CompletableFuture<Boolean> done = new CompletableFuture<>();
                context.runOnContext(v -> done.complete(progress.finishedUpTo(1)));
                return done.get(10, TimeUnit.SECONDS);
            });
        }
    }

    private static long newPatient() throws SQLException {
        long clinic = tree.organisation("Clinic", "village", null);
        long doctor = tree.doctor("Dr T", clinic);
        long team = tree.team("Team", clinic, doctor);
        return tree.patient("P", team, doctor, "hypertension");
    }

    private static long alerts(long patient) throws SQLException {
        try (Connection c = bed.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM alert WHERE patient_id = " + patient)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
