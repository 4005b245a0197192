package org.vigil.chronic.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.chronic.config.ChronicConfig;
import org.vigil.chronic.control.ControlEvaluator;
import org.vigil.chronic.control.ControlStatus;
import org.vigil.chronic.store.CareStore;
import org.vigil.common.db.Database;
import org.vigil.common.testing.TestPostgres;

/**
 * Evaluation against real PostgreSQL through the read contracts: readings from {@code care_readings}, status spells
 * that keep their start while unchanged and close when it changes, day counts recounted into
 * {@code measurement_month}; patients without readings, with only non-fasting glucose, without a contract.
 */
@Timeout(60)
class StatusKeeperIT {

    /** 10:00 in Shanghai. */
    private static final Instant NOW = Instant.parse("2026-12-05T02:00:00Z");
    private static Database database;
    private static StatusKeeper keeper;

    @BeforeAll
    static void seed() throws SQLException {
        database = Database.open(TestPostgres.newDatabase());
        keeper = new StatusKeeper(new CareStore(database.dataSource()), new org.vigil.chronic.store.StatusStore(database.dataSource()),
                new ControlEvaluator(ChronicConfig.defaults().control()));
        TestVillage.seed(database.dataSource(), """
                (1, 'HT and DM', '{hypertension,diabetes}'), (2, 'HT, no readings', '{hypertension}'),
                (3, 'no contract', '{hypertension}'), (4, 'HT, counted', '{hypertension}')""", 1, 2, 4);
        // Patient 1: morning and evening BP on the three days before, 128/80 on average; glucose only after meals.
        for (int d = 1; d <= 3; d++) {
            Instant morning = NOW.minus(Duration.ofDays(d));
            reading(1, 1, morning, 126, null);
            reading(1, 2, morning, 78, null);
            reading(1, 1, morning.plus(Duration.ofHours(10)), 130, null);
            reading(1, 2, morning.plus(Duration.ofHours(10)), 82, null);
            reading(1, 6, morning.plus(Duration.ofHours(2)), 9.4, 3);
            reading(4, 1, morning, 126, null);
            reading(4, 2, morning, 78, null);
            reading(4, 1, morning.plus(Duration.ofHours(10)), 130, null);
            reading(4, 2, morning.plus(Duration.ofHours(10)), 82, null);
        }
    }

    @AfterAll
    static void close() {
        database.close();
    }

    private static void reading(long patient, int metric, Instant ts, double value, Integer context) throws SQLException {
        TestVillage.reading(database.dataSource(), patient, metric, ts, value, context);
    }

    private static Map<String, StatusKeeper.Evaluated> refresh(long patient, Instant at) throws SQLException {
        return keeper.refresh(patient, at, StatusKeeper.UPLOAD_DAYS).stream()
                .collect(Collectors.toMap(e -> e.result().condition().wireName(), e -> e));
    }

    private static List<String> spells(long patient, String condition) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT status, until_at IS NULL FROM control_status WHERE patient_id = ? AND condition = ? ORDER BY since_at")) {
            ps.setLong(1, patient);
            ps.setString(2, condition);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> out = new java.util.ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1) + (rs.getBoolean(2) ? " (current)" : ""));
                }
                return out;
            }
        }
    }

    private static String days(long patient, int metric) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT days[1:5]::text FROM measurement_month WHERE patient_id = ? AND metric = ? AND month = '2026-12-01'")) {
            ps.setLong(1, patient);
            ps.setInt(2, metric);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Test
    void aStatusKeepsItsStartUntilItChangesAndOnlyFastingGlucoseDecides() throws Exception {
        Map<String, StatusKeeper.Evaluated> first = refresh(1, NOW);
        assertThat(first.get("hypertension").result().status()).isEqualTo(ControlStatus.CONTROLLED);
        assertThat(first.get("hypertension").result().figures()).containsEntry("homeMeanSystolic", 128.0);
        assertThat(first.get("diabetes").result().status()).as("after-meal glucose only").isEqualTo(ControlStatus.UNKNOWN);
        assertThat(first.get("diabetes").result().figures()).containsEntry("otherGlucoseReadings", 3);
        assertThat(first.get("hypertension").since()).isEqualTo(NOW);

        Instant later = NOW.plus(Duration.ofHours(1));
        assertThat(refresh(1, later).get("hypertension").since()).as("unchanged: same spell").isEqualTo(NOW);

        reading(1, 6, later.minus(Duration.ofMinutes(10)), 8.1, 1);
        Instant after = NOW.plus(Duration.ofHours(2));
        StatusKeeper.Evaluated diabetes = refresh(1, after).get("diabetes");
        assertThat(diabetes.result().status()).isEqualTo(ControlStatus.UNCONTROLLED);
        assertThat(diabetes.since()).isEqualTo(after);
        assertThat(spells(1, "diabetes")).containsExactly("unknown", "uncontrolled (current)");
        assertThat(spells(1, "hypertension")).containsExactly("controlled (current)");
    }

    /**
     * Verifies the day counts, that a recount replaces them, and that a status changing at the instant its spell began
     * replaces that spell instead of ending it before it began.
     */
    @Test
    void readingsAreCountedPerDayAndRecountedNotAdded() throws Exception {
        assertThat(refresh(4, NOW).get("hypertension").result().status()).isEqualTo(ControlStatus.CONTROLLED);
        // Dec 2, 3, 4: two systolic readings a day; nothing on the 1st or the 5th (before 10:00).
        assertThat(days(4, 1)).isEqualTo("{0,2,2,2,0}");
        refresh(4, NOW);
        assertThat(days(4, 1)).as("a second recount replaces the counts").isEqualTo("{0,2,2,2,0}");
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM reading WHERE patient_id = 4 AND metric = 1 AND ts = '"
                    + NOW.minus(Duration.ofDays(1)) + "'");
        }
        StatusKeeper.Evaluated fewer = refresh(4, NOW).get("hypertension");
        assertThat(days(4, 1)).isEqualTo("{0,2,2,1,0}");
        assertThat(fewer.result().status()).as("5 readings are too few").isEqualTo(ControlStatus.UNKNOWN);
        assertThat(fewer.since()).isEqualTo(NOW);
        assertThat(spells(4, "hypertension")).containsExactly("unknown (current)");
    }

    @Test
    void noReadingsIsUnknownAndNoContractIsNotEvaluated() throws Exception {
        Map<String, StatusKeeper.Evaluated> none = refresh(2, NOW);
        assertThat(none.get("hypertension").result().status()).isEqualTo(ControlStatus.UNKNOWN);
        assertThat(none.get("hypertension").result().basis()).isEqualTo("none");
        assertThat(days(2, 1)).as("no row for a patient without readings").isNull();
        assertThat(refresh(3, NOW)).isEmpty();
        assertThat(NOW.truncatedTo(ChronoUnit.MICROS)).isEqualTo(NOW);
    }
}
