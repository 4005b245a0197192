package org.vigil.alerting.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.common.testing.VertxAndDatabase;
import org.vigil.alerting.store.PatientHistoryStore;
import org.vigil.alerting.store.PatientSnapshot;
import org.vigil.alerting.testing.FlakyDataSource;
import org.vigil.common.model.Metric;

/**
 * The loader's reads against a real PostgreSQL: histories asked for in one turn are read together, and a patient
 * whose stored data cannot be read fails alone, not the patients read in the same batch; a database unavailable
 * for now is waited for.
 */
class StoredPatientReadsIT {

    private static final Instant NOW = Instant.now();
    @RegisterExtension
    static final VertxAndDatabase bed = new VertxAndDatabase();

    @Test
    void anUnreadablePatientFailsAloneNotHerBatch() throws Exception {
        long first = patientWithSystolic(Metric.SYSTOLIC_BP.code());
        long unreadable = patientWithSystolic(99);   // a metric code no Vigil knows: decoding her history throws
        long second = patientWithSystolic(Metric.SYSTOLIC_BP.code());
        long unknown = 987_654_321L;
        StoredPatientReads reads = new StoredPatientReads(bed.vertx(), new PatientHistoryStore(bed.dataSource()),
                Duration.ofDays(15), Clock.fixed(NOW, ZoneOffset.UTC), null);
        Map<Long, CompletableFuture<Optional<PatientSnapshot>>> answers = new ConcurrentHashMap<>();
        for (long id : List.of(first, unreadable, second, unknown)) {
            answers.put(id, new CompletableFuture<>());
        }

        // One turn of the event loop: the four are asked for together.
        bed.vertx().runOnContext(v -> answers.forEach((id, answer) -> reads.history(id, false, (snapshot, failure) -> {
            if (failure != null) {
                answer.completeExceptionally(failure);
            } else {
                answer.complete(snapshot);
            }
        })));

        for (long id : List.of(first, second)) {
            assertThat(answers.get(id).get(30, TimeUnit.SECONDS)).get().satisfies(s -> {
                assertThat(s.profile().patientId()).isEqualTo(id);
                assertThat(s.history()).singleElement().satisfies(r -> assertThat(r.value()).isEqualTo(150.0));
            });
        }
        assertThat(answers.get(unknown).get(30, TimeUnit.SECONDS)).isEmpty();
        assertThat(answers.get(unreadable)).failsWithin(30, TimeUnit.SECONDS).withThrowableThat()
                .withMessageContaining("unknown metric code 99");
    }

    /**
     * Verifies that a load the database cannot serve right now is retried, not answered as final: the pool's timeout
     * carries the last connection failure's state, which alone would be permanent.
     */
    @Test
    void aPoolTimeoutIsRetriedUntilTheHistoryIsRead() throws Exception {
        long patient = patientWithSystolic(Metric.SYSTOLIC_BP.code());
        FlakyDataSource ds = FlakyDataSource.failingFirst(bed.dataSource(), new SQLTransientConnectionException(
                "vigil-db - Connection is not available, request timed out after 5000ms", "28P01"));
        StoredPatientReads reads = new StoredPatientReads(bed.vertx(), new PatientHistoryStore(ds), Duration.ofDays(15),
                Clock.fixed(NOW, ZoneOffset.UTC), null);
        CompletableFuture<Optional<PatientSnapshot>> answer = new CompletableFuture<>();

        bed.vertx().runOnContext(v -> reads.history(patient, false, (snapshot, failure) -> {
            if (failure != null) {
                answer.completeExceptionally(failure);
            } else {
                answer.complete(snapshot);
            }
        }));

        assertThat(answer.get(30, TimeUnit.SECONDS)).get()
                .satisfies(s -> assertThat(s.profile().patientId()).isEqualTo(patient));
        assertThat(ds.requests()).isEqualTo(2);
    }

    private static long patientWithSystolic(int metricCode) throws Exception {
        try (Connection c = bed.dataSource().getConnection(); Statement s = c.createStatement()) {
            long patient;
            try (ResultSet rs = s.executeQuery(
                    "INSERT INTO patient (name, conditions) VALUES ('P', '{hypertension}') RETURNING id")) {
                rs.next();
                patient = rs.getLong(1);
            }
            s.execute("INSERT INTO reading (ts, patient_id, metric, device_id, value) VALUES (to_timestamp("
                    + NOW.minus(Duration.ofDays(1)).getEpochSecond() + "), " + patient + ", " + metricCode
                    + ", 1, 150)");
            return patient;
        }
    }
}
