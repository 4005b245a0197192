package org.vigil.chronic.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.chronic.config.ChronicConfig;
import org.vigil.chronic.control.ControlEvaluator;
import org.vigil.chronic.store.CareStore;
import org.vigil.chronic.store.StatusStore;
import org.vigil.common.db.Database;
import org.vigil.common.testing.TestPostgres;

/**
 * Verifies that the sweep's batched evaluation ({@link StatusKeeper#refreshAll}) writes exactly the
 * {@code control_status} and {@code measurement_month} rows the per-patient path writes, on two databases seeded
 * alike, over two evaluations at different instants: every condition, office values from follow-ups, readings on
 * several days, a stored month merged with the recount, a patient without a contract, one without conditions, and
 * statuses that change or hold between the two evaluations.
 */
@Timeout(60)
class StatusBatchIT {

    /** 10:00 in Shanghai. */
    private static final Instant FIRST = Instant.parse("2026-12-05T02:00:00Z");
    private static final Instant SECOND = FIRST.plus(Duration.ofHours(27));
    private static final List<Long> PATIENTS = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    private static Database single;
    private static Database batch;

    @BeforeAll
    static void seed() throws SQLException {
        single = Database.open(TestPostgres.newDatabase());
        batch = Database.open(TestPostgres.newDatabase());
        for (Database database : List.of(single, batch)) {
            village(database.dataSource());
        }
    }

    @AfterAll
    static void close() {
        single.close();
        batch.close();
    }

    private static void village(DataSource ds) throws SQLException {
        TestVillage.seed(ds, """
                (1, 'HT at home', '{hypertension}'), (2, 'DM at home', '{diabetes}'),
                (3, 'HT and DM at the office', '{hypertension,diabetes}'), (4, 'COPD', '{copd}'),
                (5, 'HF', '{heart_failure}'), (6, 'no contract', '{hypertension}'), (7, 'no conditions', '{}'),
                (8, 'HT, changes', '{hypertension}'), (9, 'all four', '{hypertension,diabetes,copd,heart_failure}')""",
                1, 2, 3, 4, 5, 7, 8, 9);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO follow_up (patient_id, conditions, done_on, type, doctor_id, measurements, classification,
                                           next_rule, next_due, referral_suggested, recorded_by, recorded_at) VALUES
                        (3, '{hypertension,diabetes}', '2026-11-10', 'face_to_face', 1,
                         '{"systolic_bp": 128, "diastolic_bp": 78, "fasting_glucose": 6.1}', 'controlled', 'routine',
                         '2027-02-10', false, 't', now()),
                        (3, '{hypertension}', '2026-12-01', 'face_to_face', 1,
                         '{"systolic_bp": 152, "diastolic_bp": 96}', 'uncontrolled', 'recheck', '2026-12-15', false,
                         't', now()),
                        (9, '{diabetes}', '2026-12-02', 'face_to_face', 1, '{"fasting_glucose": 8.4}', 'uncontrolled',
                         'recheck', '2026-12-16', false, 't', now());
                    -- A month counted before: its days before the recount stay, the recounted ones are replaced.
                    INSERT INTO measurement_month (patient_id, metric, month, days, total)
                    VALUES (1, 1, '2026-11-01', array_fill(3, ARRAY[30]), 90);""");
        }
        for (int d = 1; d <= 4; d++) {
            Instant morning = FIRST.minus(Duration.ofDays(d));
            Instant evening = morning.plus(Duration.ofHours(10));
            for (long p : new long[] {1, 6, 9}) {
                reading(ds, p, 1, morning, 126 + d);
                reading(ds, p, 2, morning, 78);
                reading(ds, p, 1, evening, 130);
                reading(ds, p, 2, evening, 82);
            }
            for (long p : new long[] {2, 9}) {
                reading(ds, p, 6, morning, 7.2 + d / 10.0, 1);
                reading(ds, p, 6, evening, 10.5, 3);
            }
            for (long p : new long[] {4, 9}) {
                for (int m = 0; m < 6; m++) {
                    reading(ds, p, 5, morning.plus(Duration.ofMinutes(m)), 95 - m);
                }
            }
            for (long p : new long[] {5, 9}) {
                reading(ds, p, 7, morning, 70 + d * 0.8);
            }
        }
        // Patient 8: one day of readings, too few; the later ones make three days.
        reading(ds, 8, 1, FIRST.minus(Duration.ofHours(29)), 150);
        reading(ds, 8, 2, FIRST.minus(Duration.ofHours(29)), 95);
    }

    /** Between the evaluations: enough high readings for patient 8 to turn uncontrolled, more for 1 and 4. */
    private static void later(DataSource ds) throws SQLException {
        for (int h = 1; h <= 8; h++) {
            Instant at = FIRST.plus(Duration.ofHours(2 * h));
            reading(ds, 8, 1, at, 158);
            reading(ds, 8, 2, at, 99);
            reading(ds, 1, 1, at, 124);
            reading(ds, 1, 2, at, 76);
            reading(ds, 4, 5, at, 88);
        }
    }

    private static void reading(DataSource ds, long patient, int metric, Instant ts, double value) throws SQLException {
        TestVillage.reading(ds, patient, metric, ts, value, null);
    }

    private static void reading(DataSource ds, long patient, int metric, Instant ts, double value, Integer context)
            throws SQLException {
        TestVillage.reading(ds, patient, metric, ts, value, context);
    }

    private static StatusKeeper keeper(Database database) {
        return new StatusKeeper(new CareStore(database.dataSource()), new StatusStore(database.dataSource()),
                new ControlEvaluator(ChronicConfig.defaults().control()));
    }

    /** Every row of a table as text, in key order, without row ids (the tables have none). */
    private static List<String> rows(Database database, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.append(i > 1 ? " | " : "").append(rs.getString(i));
                }
                out.add(row.toString());
            }
        }
        return out;
    }

    private static List<String> statuses(Database database) throws SQLException {
        return rows(database, """
                SELECT patient_id, condition, status, since_at, until_at, figures::text, evaluated_at FROM control_status
                 ORDER BY patient_id, condition, since_at""");
    }

    private static List<String> months(Database database) throws SQLException {
        return rows(database, """
                SELECT patient_id, metric, month, days::text, total FROM measurement_month ORDER BY patient_id, metric, month""");
    }

    /** Per patient, the conditions' statuses and since when, as the two paths return them. */
    private static List<String> returned(Map<Long, List<StatusKeeper.Evaluated>> evaluated) {
        List<String> out = new ArrayList<>();
        evaluated.forEach((id, list) -> list.forEach(e -> out.add(id + " " + e.result().condition().wireName() + " "
                + e.result().status().wireName() + " " + e.since())));
        return out;
    }

    private static Map<Long, List<StatusKeeper.Evaluated>> onePatientAtATime(Instant at, int days) throws SQLException {
        Map<Long, List<StatusKeeper.Evaluated>> out = new java.util.LinkedHashMap<>();
        for (long id : PATIENTS) {
            List<StatusKeeper.Evaluated> evaluated = keeper(single).refresh(id, at, days);
            if (!evaluated.isEmpty()) {
                out.put(id, evaluated);
            }
        }
        return out;
    }

    @Test
    void theBatchWritesWhatThePatientByPatientPathWrites() throws Exception {
        Map<Long, List<StatusKeeper.Evaluated>> first = onePatientAtATime(FIRST, StatusKeeper.UPLOAD_DAYS);
        assertThat(returned(keeper(batch).refreshAll(PATIENTS, FIRST, StatusKeeper.UPLOAD_DAYS)))
                .isEqualTo(returned(first));
        assertThat(statuses(batch)).isEqualTo(statuses(single));
        assertThat(months(batch)).isEqualTo(months(single));

        for (Database database : List.of(single, batch)) {
            later(database.dataSource());
        }
        Map<Long, List<StatusKeeper.Evaluated>> second = onePatientAtATime(SECOND, StatusKeeper.RECENT_DAYS);
        assertThat(returned(keeper(batch).refreshAll(PATIENTS, SECOND, StatusKeeper.RECENT_DAYS)))
                .isEqualTo(returned(second));
        assertThat(statuses(batch)).isEqualTo(statuses(single));
        assertThat(months(batch)).isEqualTo(months(single));

        // The village is varied enough for the comparison to mean something.
        List<String> statuses = statuses(single);
        assertThat(statuses).as("every condition of every managed patient, none for 6 and 7").hasSize(12);
        assertThat(statuses).anyMatch(r -> r.startsWith("3 | hypertension | uncontrolled") && r.contains("office"));
        assertThat(statuses).anyMatch(r -> r.startsWith("8 | hypertension | unknown") && !r.contains("| null |"));
        assertThat(statuses).anyMatch(r -> r.startsWith("8 | hypertension | uncontrolled"));
        assertThat(returned(second)).contains("1 hypertension controlled " + FIRST);
        assertThat(months(single)).anyMatch(r -> r.startsWith("1 | 1 | 2026-11-01 | {3,3,3,3,0,"));
    }
}
