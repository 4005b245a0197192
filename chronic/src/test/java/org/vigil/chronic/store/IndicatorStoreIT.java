package org.vigil.chronic.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.chronic.followup.FollowUpType;
import org.vigil.chronic.indicator.Indicator;
import org.vigil.chronic.indicator.Indicators;
import org.vigil.common.db.Database;
import org.vigil.common.testing.TestPostgres;

/**
 * The indicators of a hand-built population in a real PostgreSQL with Vigil's schema, over the first quarter of 2026
 * (Asia/Shanghai): who belongs to whose panel at the end of the period, follow-ups by type, the status in effect at
 * the end (not now), adherence from the day counts, alerts, and a doctor's scope.
 *
 * <pre>
 * patient  conditions   contracts (doctor/team)                 Q1 follow-ups               status at the end of Q1
 * 1        HT + DM      A/1 since 2025                          f2f (HT, DM); phone (HT)     HT controlled; DM controlled since 03-20
 * 2        HT           A/1 since 2025                          none                         none recorded (unknown)
 * 3        DM           A/1 since 2025                          home visit (DM)              DM unknown
 * 4        HT           A/1 until 02-15, then B/2               f2f by A (HT)                HT controlled (uncontrolled from 04-02)
 * 5        HT           B/2 until 02-01, then A/1               one in December 2025 only    HT uncontrolled
 * 6        HT           other county                            none                         HT controlled
 * 7        none         A/1                                     -                            - (not managed)
 * 8        HT           A/1 until 03-01 (ended)                 -                            - (not managed at the end)
 * </pre>
 */
@Timeout(60)
class IndicatorStoreIT {

    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final LocalDate FROM = LocalDate.of(2026, 1, 1);
    private static final LocalDate TO = LocalDate.of(2026, 3, 31);
    private static final Instant NOW = Instant.parse("2026-12-05T00:00:00Z");
    private static final Set<FollowUpType> STANDARD = Set.of(FollowUpType.FACE_TO_FACE, FollowUpType.HOME_VISIT);
    private static Database database;
    private static IndicatorStore store;

    @BeforeAll
    static void seed() throws SQLException {
        database = Database.open(TestPostgres.newDatabase());
        store = new IndicatorStore(database.dataSource());
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO organisation (id, name, tier, parent_id, path) OVERRIDING SYSTEM VALUE VALUES
                        (1, 'County', 'county', NULL, '/1/'), (2, 'Township', 'township', 1, '/1/2/'),
                        (3, 'Village A', 'village', 2, '/1/2/3/'), (4, 'Village B', 'village', 2, '/1/2/4/'),
                        (5, 'Other county', 'county', NULL, '/5/');
                    INSERT INTO doctor (id, name, organisation_id) OVERRIDING SYSTEM VALUE VALUES
                        (1, 'Dr A', 3), (2, 'Dr B', 4), (3, 'Dr Township', 2), (4, 'Dr Other', 5);
                    INSERT INTO team (id, name, organisation_id) OVERRIDING SYSTEM VALUE VALUES
                        (1, 'Team A', 3), (2, 'Team B', 4), (3, 'Team Other', 5);
                    INSERT INTO team_member VALUES (1, 1), (2, 2), (3, 4);
                    INSERT INTO patient (id, name, conditions) OVERRIDING SYSTEM VALUE VALUES
                        (1, '一 HT+DM', '{hypertension,diabetes}'), (2, '二 HT', '{hypertension}'),
                        (3, '三 DM', '{diabetes}'), (4, '四 HT moved', '{hypertension}'),
                        (5, '五 HT moved', '{hypertension}'), (6, '六 other county', '{hypertension}'),
                        (7, '七 none', '{}'), (8, '八 ended', '{hypertension}');
                    INSERT INTO contract (patient_id, team_id, doctor_id, valid_from, valid_to, created_by) VALUES
                        (1, 1, 1, '2025-01-01', NULL, 'test'), (2, 1, 1, '2025-01-01', NULL, 'test'),
                        (3, 1, 1, '2025-01-01', NULL, 'test'),
                        (4, 1, 1, '2025-01-01', '2026-02-15T00:00+08', 'test'), (4, 2, 2, '2026-02-15T00:00+08', NULL, 'test'),
                        (5, 2, 2, '2025-01-01', '2026-02-01T00:00+08', 'test'), (5, 1, 1, '2026-02-01T00:00+08', NULL, 'test'),
                        (6, 3, 4, '2025-01-01', NULL, 'test'), (7, 1, 1, '2025-01-01', NULL, 'test'),
                        (8, 1, 1, '2025-01-01', '2026-03-01T00:00+08', 'test');
                    INSERT INTO follow_up (patient_id, conditions, done_on, type, doctor_id, classification, next_rule,
                                           next_due, referral_suggested, recorded_by, recorded_at) VALUES
                        (1, '{hypertension,diabetes}', '2026-02-01', 'face_to_face', 1, 'controlled', 'routine', '2026-05-01', false, 't', now()),
                        (1, '{hypertension}', '2026-03-01', 'phone', 1, 'controlled', 'routine', '2026-06-01', false, 't', now()),
                        (3, '{diabetes}', '2026-01-10', 'home_visit', 1, 'uncontrolled', 'recheck', '2026-01-24', false, 't', now()),
                        (4, '{hypertension}', '2026-01-20', 'face_to_face', 1, 'controlled', 'routine', '2026-04-20', false, 't', now()),
                        (5, '{hypertension}', '2025-12-20', 'face_to_face', 2, 'uncontrolled', 'recheck', '2026-01-03', false, 't', now());
                    INSERT INTO control_status (patient_id, condition, status, since_at, until_at, figures, evaluated_at) VALUES
                        (1, 'hypertension', 'controlled', '2026-01-05', NULL, '{}', now()),
                        (1, 'diabetes', 'uncontrolled', '2026-01-01', '2026-03-20', '{}', now()),
                        (1, 'diabetes', 'controlled', '2026-03-20', NULL, '{}', now()),
                        (3, 'diabetes', 'unknown', '2026-01-01', NULL, '{}', now()),
                        (4, 'hypertension', 'controlled', '2026-01-01', '2026-04-02', '{}', now()),
                        (4, 'hypertension', 'uncontrolled', '2026-04-02', NULL, '{}', now()),
                        (5, 'hypertension', 'uncontrolled', '2025-12-01', NULL, '{}', now()),
                        (6, 'hypertension', 'controlled', '2025-12-01', NULL, '{}', now());
                    INSERT INTO care_plan (patient_id, version, plan, changed_by) VALUES
                        (1, 1, '{"expected": [{"metric": "systolic_bp", "every": "P1D"}]}', 't'),
                        (2, 1, '{"expected": [{"metric": "systolic_bp", "every": "PT12H"}]}', 't');
                    INSERT INTO measurement_month (patient_id, metric, month, days, total)
                    SELECT p, m, month::date, (SELECT array_agg(CASE WHEN d = day THEN n ELSE 0 END ORDER BY d)
                                                 FROM generate_series(1, 31) d), n
                      FROM (VALUES (1, 1, '2026-01-01', 10, 2), (1, 1, '2026-02-01', 10, 2), (1, 1, '2026-04-01', 1, 5),
                                   (1, 2, '2026-01-01', 10, 2)) AS v(p, m, month, day, n);
                    INSERT INTO alert (patient_id, doctor_id, organisation_id, rule, severity, status, metric, value,
                                       measured_at, opened_at, last_value, last_measured_at, updated_at, worst_value,
                                       acknowledged_at, resolved_at, disposition, escalated_to) VALUES
                        (1, 1, 3, 'blood_pressure_high', 'critical', 'resolved', 1, 185, '2026-02-01T00:00Z',
                         '2026-02-01T00:00Z', 185, '2026-02-01T00:00Z', '2026-02-01T00:30Z', 185,
                         '2026-02-01T00:10Z', '2026-02-01T00:30Z', 'contacted_patient', '{}'),
                        (4, 1, 3, 'blood_pressure_high', 'critical', 'acknowledged', 1, 182, '2026-01-10T00:00Z',
                         '2026-01-10T00:00Z', 182, '2026-01-10T00:00Z', '2026-01-10T00:20Z', 182,
                         '2026-01-10T00:20Z', NULL, NULL, '{2}'),
                        (1, 1, 3, 'glucose_low', 'critical', 'open', 6, 3.1, '2026-04-10T00:00Z',
                         '2026-04-10T00:00Z', 3.1, '2026-04-10T00:00Z', '2026-04-10T00:00Z', 3.1, NULL, NULL, NULL, '{}');
                    """);
        }
    }

    @AfterAll
    static void close() {
        database.close();
    }

    private static Map<String, Indicator> indicators(IndicatorStore.Subject subject, long id, Long scope) throws SQLException {
        IndicatorStore.Facts facts = store.gather(subject, id, FROM, TO, NOW, SHANGHAI, scope, STANDARD);
        return Indicators.compute(FROM, TO, 4, facts.patients(), facts.alerts()).stream()
                .collect(Collectors.toMap(Indicator::id, i -> i));
    }

    /** Verifies the doctor's panel: patients held at the end, counted once per condition, status at the end. */
    @Test
    void aDoctorsPanelIsWhoSheHoldsAtTheEndOfThePeriod() throws SQLException {
        Map<String, Indicator> a = indicators(IndicatorStore.Subject.DOCTOR, 1, null);
        assertThat(a.get("managed_hypertension").numeratorPatients()).containsExactly(1L, 2L, 5L);
        assertThat(a.get("managed_diabetes").numeratorPatients()).containsExactly(1L, 3L);
        assertThat(a.get("standard_management_rate_hypertension").numeratorPatients())
                .as("a phone call is no standard follow-up; December is outside the period").containsExactly(1L);
        assertThat(a.get("standard_management_rate_hypertension").denominator()).isEqualTo(3);
        assertThat(a.get("standard_management_rate_diabetes").numeratorPatients()).containsExactly(1L, 3L);
        assertThat(a.get("bp_control_rate").numeratorPatients()).containsExactly(1L);
        assertThat(a.get("bp_control_rate").denominator()).isEqualTo(3);
        assertThat(a.get("glucose_control_rate").numeratorPatients()).containsExactly(1L);
        assertThat(a.get("glucose_control_rate").denominator()).isEqualTo(2);
        Indicator adherence = a.get("monitoring_adherence");
        assertThat(adherence.numerator()).as("4 systolic readings in Q1").isEqualTo(4);
        assertThat(adherence.denominator()).as("90 daily + 180 twice-daily").isEqualTo(270);
        assertThat(a.get("ack_p50_critical").numerator()).isEqualTo(600);
        assertThat(a.get("ack_p50_critical").denominator()).as("April's alert is outside the period").isEqualTo(1);
        assertThat(a.get("alerts_resolved_share_contacted_patient").value()).isEqualTo(1.0);
    }

    /** Verifies that a period starting mid-month counts the days of that month inside it only. */
    @Test
    void adherenceCountsTheDaysInsideThePeriod() throws SQLException {
        IndicatorStore.Facts facts = store.gather(IndicatorStore.Subject.DOCTOR, 1, LocalDate.of(2026, 1, 11), TO, NOW,
                SHANGHAI, null, STANDARD);
        Indicator adherence = Indicators.compute(LocalDate.of(2026, 1, 11), TO, 4, facts.patients(), facts.alerts())
                .stream().filter(i -> i.id().equals("monitoring_adherence")).findFirst().orElseThrow();
        assertThat(adherence.numerator()).as("February's 2 only").isEqualTo(2);
        assertThat(adherence.denominator()).as("80 daily + 160 twice-daily").isEqualTo(240);
    }

    /** Verifies that a patient who changed doctor counts for the new one, with the follow-up the old one did. */
    @Test
    void aPatientWhoChangedDoctorCountsForTheNewOne() throws SQLException {
        Map<String, Indicator> b = indicators(IndicatorStore.Subject.DOCTOR, 2, null);
        assertThat(b.get("managed_hypertension").numeratorPatients()).containsExactly(4L);
        assertThat(b.get("standard_management_rate_hypertension").value()).isEqualTo(1.0);
        assertThat(b.get("bp_control_rate").value()).as("controlled at the end of Q1, not now").isEqualTo(1.0);
        assertThat(b.get("alerts_escalated_share").numerator()).isEqualTo(1);
        assertThat(b.get("ack_p50_critical").numerator()).isEqualTo(1200);
    }

    @Test
    void teamsAndOrganisationSubtrees() throws SQLException {
        assertThat(indicators(IndicatorStore.Subject.TEAM, 1, null).get("managed_hypertension").numeratorPatients())
                .containsExactly(1L, 2L, 5L);
        assertThat(indicators(IndicatorStore.Subject.ORGANISATION, 2, null).get("managed_hypertension")
                .numeratorPatients()).containsExactly(1L, 2L, 4L, 5L);
        assertThat(indicators(IndicatorStore.Subject.ORGANISATION, 1, null).get("bp_control_rate").value())
                .isEqualTo(0.5);
        assertThat(indicators(IndicatorStore.Subject.ORGANISATION, 5, null).get("managed_hypertension")
                .numeratorPatients()).containsExactly(6L);
    }

    /** Verifies that a doctor asking for a wider panel gets the figures of the patients she may see now only. */
    @Test
    void aDoctorsScopeLimitsWhatSheIsShown() throws SQLException {
        assertThat(indicators(IndicatorStore.Subject.ORGANISATION, 2, 2L).get("managed_hypertension")
                .numeratorPatients()).containsExactly(4L);
        assertThat(indicators(IndicatorStore.Subject.ORGANISATION, 2, 3L).get("managed_hypertension")
                .numeratorPatients()).as("a township doctor sees her subtree").containsExactly(1L, 2L, 4L, 5L);
        assertThat(indicators(IndicatorStore.Subject.DOCTOR, 4, 1L).get("managed_hypertension").numerator()).isZero();
    }
}
