package org.vigil.alerting.store;

import org.vigil.common.model.Condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.alerting.clinical.KnownAlert;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/** The alert stores against a real PostgreSQL: signals to alert rows and transitions, and the rebuild snapshot. */
@Timeout(60)
class AlertStoresIT {

    @RegisterExtension
    static final StoreDatabase db = new StoreDatabase();

    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");
    private static final long T0 = NOW.minus(Duration.ofHours(2)).toEpochMilli();
    private static final long MINUTE = 60_000;

    /** A patient contracted to a new doctor's team at a village clinic; returns the patient's id. */
    private static long newPatient(String... conditions) throws SQLException {
        try (Connection c = db.connection()) {
            long organisation = insert(c, "INSERT INTO organisation (name, tier, path) VALUES ('Clinic', 'village', '/') RETURNING id");
            long doctor = insert(c, "INSERT INTO doctor (name, organisation_id) VALUES ('Dr T', " + organisation + ") RETURNING id");
            long team = insert(c, "INSERT INTO team (name, organisation_id) VALUES ('Team', " + organisation + ") RETURNING id");
            insert(c, "INSERT INTO team_member (team_id, doctor_id) VALUES (" + team + ", " + doctor + ") RETURNING team_id");
            long patient;
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO patient (name, conditions) VALUES ('P', ?) RETURNING id")) {
                ps.setArray(1, c.createArrayOf("text", conditions));
                ResultSet rs = ps.executeQuery();
                rs.next();
                patient = rs.getLong(1);
            }
            insert(c, "INSERT INTO contract (patient_id, team_id, doctor_id, valid_from, created_by) VALUES ("
                    + patient + ", " + team + ", " + doctor + ", now() - interval '1 day', 'test') RETURNING id");
            return patient;
        }
    }

    private static long insert(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static AlertSignal signal(long patient, Kind kind, Severity severity, double value, long at, int occurrences,
                                      boolean late) {
        return new AlertSignal(patient, "blood_pressure_high", kind, severity, Metric.SYSTOLIC_BP, value, value, at, late,
                "systolic " + value, occurrences, 0);
    }

    private static AlertChange one(List<AlertChange> changes) {
        assertThat(changes).hasSize(1);
        return changes.get(0);
    }

    /** Verifies an episode's whole life: opened, updated silently, escalated after an ack, resolved automatically. */
    @Test
    void signalsOpenUpdateEscalateAndResolveOneAlertWithItsTransitions() throws Exception {
        long patient = newPatient("hypertension");
        AlertChange opened = one(db.signals.apply(List.of(signal(patient, Kind.OPEN, Severity.WARNING, 165, T0, 1, true)), NOW));
        assertThat(opened.kind()).isEqualTo(AlertChange.Kind.OPENED);
        long id = opened.alert().getLong("id");
        assertThat(opened.alert().getBoolean("late")).isTrue();
        assertThat(opened.alert().getString("detail")).isEqualTo("systolic 165.0");

        AlertChange updated = one(db.signals.apply(List.of(signal(patient, Kind.UPDATE, Severity.WARNING, 170, T0 + 20 * MINUTE, 2, false)), NOW));
        assertThat(updated.kind()).isEqualTo(AlertChange.Kind.UPDATED);
        assertThat(updated.alert().getInteger("occurrences")).isEqualTo(2);
        assertThat(updated.alert().getDouble("lastValue")).isEqualTo(170.0);
        assertThat(updated.alert().getDouble("worstValue")).isEqualTo(170.0);

        assertThat(db.actions.acknowledge(id, "dr.wang", NOW).kind()).isEqualTo(AlertChange.Kind.ACKNOWLEDGED);
        AlertChange escalated = one(db.signals.apply(List.of(signal(patient, Kind.WORSEN, Severity.CRITICAL, 186, T0 + 40 * MINUTE, 3, false)), NOW));
        assertThat(escalated.kind()).isEqualTo(AlertChange.Kind.ESCALATED);
        assertThat(escalated.alert().getLong("id")).isEqualTo(id);
        assertThat(escalated.alert().getString("status")).as("reopened for the doctor").isEqualTo("open");
        assertThat(escalated.alert().getString("severity")).isEqualTo("critical");
        assertThat(escalated.alert().getBoolean("late")).isFalse();

        AlertChange resolved = one(db.signals.apply(List.of(signal(patient, Kind.CLEAR, Severity.CRITICAL, 128, T0 + 60 * MINUTE, 3, false)), NOW));
        assertThat(resolved.kind()).isEqualTo(AlertChange.Kind.RESOLVED);
        assertThat(resolved.alert().getString("status")).isEqualTo("resolved");
        assertThat(resolved.alert().getString("disposition")).isEqualTo(AlertChange.AUTO_CLEARED);
        assertThat(resolved.alert().getString("resolvedBy")).isEqualTo(AlertChange.SYSTEM);
        assertThat(resolved.alert().getString("lastMeasuredAt")).isEqualTo(Instant.ofEpochMilli(T0 + 60 * MINUTE).toString());

        JsonArray transitions = db.queries.transitions(id).orElseThrow();
        assertThat(transitions).extracting(t -> ((JsonObject) t).getString("change"))
                .containsExactly("opened", "acknowledged", "escalated", "resolved");
        assertThat(transitions).extracting(t -> ((JsonObject) t).getString("by"))
                .containsExactly("system", "dr.wang", "system", "system");
        assertThat(transitions.getJsonObject(2).getString("from")).isEqualTo("acknowledged");

        assertThat(db.signals.apply(List.of(signal(patient, Kind.CLEAR, Severity.CRITICAL, 125, T0 + 70 * MINUTE, 3, false)), NOW))
                .as("a clear with nothing active changes nothing").isEmpty();
    }

    /**
     * Verifies that an alert's unit is that of its figure: a missing-data alert counts hours, a NEWS2 alert a score,
     * a blood-pressure alert millimetres of mercury.
     */
    @Test
    void anAlertsUnitIsThatOfItsFigure() throws Exception {
        long patient = newPatient("hypertension");
        List<AlertChange> opened = db.signals.apply(List.of(
                new AlertSignal(patient, "missing_body_weight", Kind.OPEN, Severity.WARNING, Metric.BODY_WEIGHT, 36,
                        36, T0, false, "no weight for 36 h (expected every 24 h)", 1, 0),
                new AlertSignal(patient, "news2", Kind.OPEN, Severity.CRITICAL, Metric.SYSTOLIC_BP, 7, 7, T0, false,
                        "NEWS2 7", 1, 0),
                signal(patient, Kind.OPEN, Severity.WARNING, 165, T0, 1, false)), NOW);
        assertThat(opened).extracting(c -> c.alert().getString("rule") + " " + c.alert().getDouble("value") + " "
                + c.alert().getString("unit")).containsExactly("missing_body_weight 36.0 h", "news2 7.0 {score}",
                        "blood_pressure_high 165.0 mm[Hg]");
        long id = opened.get(0).alert().getLong("id");
        assertThat(db.queries.alert(id).orElseThrow().getString("unit")).as("as stored, read back").isEqualTo("h");

        // A rule whose bands span metrics: the unit follows the metric the alert leads with after it worsens.
        long other = newPatient("hypertension");
        AlertChange pulse = one(db.signals.apply(List.of(new AlertSignal(other, "site_rule", Kind.OPEN,
                Severity.WARNING, Metric.HEART_RATE, 135, 135, T0, false, "heart rate 135", 1, 0)), NOW));
        assertThat(pulse.alert().getString("unit")).isEqualTo("/min");
        AlertChange worse = one(db.signals.apply(List.of(new AlertSignal(other, "site_rule", Kind.WORSEN,
                Severity.CRITICAL, Metric.SYSTOLIC_BP, 85, 85, T0 + MINUTE, false, "systolic 85", 2, 0)), NOW));
        assertThat(worse.alert().getString("metric")).isEqualTo("systolic_bp");
        assertThat(worse.alert().getString("unit")).isEqualTo("mm[Hg]");
    }

    /** A glucose_low signal as the engine sends it, led by {@code worst} at {@code worstAt}. */
    private static AlertSignal glucose(long patient, Kind kind, Severity severity, double value, long at, double worst,
                                       long worstAt, boolean backInRange) {
        String detail = kind == Kind.BACK_IN_RANGE || kind == Kind.CLEAR ? "glucose " + value + " mmol/L, back in range"
                : "glucose " + value + " mmol/L";
        return new AlertSignal(patient, "glucose_low", kind, severity, Metric.GLUCOSE, value, worst, at, false, detail,
                1, 0, new AlertSignal.Headline(Metric.GLUCOSE, worst, worstAt, "glucose " + worst + " mmol/L", false),
                backInRange);
    }

    /**
     * Verifies that a critical alert back in range stays open, marked, led by its worst reading and escalating,
     * that its crisis coming back tells the doctor again even after she acknowledged it, that a clear reaching it
     * only marks it, and that only a doctor resolves it.
     */
    @Test
    void aCriticalAlertBackInRangeStaysOpenLedByItsWorstReadingUntilADoctorResolvesIt() throws Exception {
        long patient = newPatient("diabetes");
        long id = one(db.signals.apply(List.of(glucose(patient, Kind.OPEN, Severity.CRITICAL, 2.7, T0, 2.7, T0, false)), NOW))
                .alert().getLong("id");
        JsonObject updated = one(db.signals.apply(List.of(glucose(patient, Kind.UPDATE, Severity.CRITICAL, 2.9,
                T0 + 20 * MINUTE, 2.4, T0 + 10 * MINUTE, false)), NOW)).alert();
        assertThat(updated.getDouble("value")).as("the worst, though it had no signal of its own").isEqualTo(2.4);
        assertThat(updated.getString("measuredAt")).isEqualTo(Instant.ofEpochMilli(T0 + 10 * MINUTE).toString());
        assertThat(updated.getString("detail")).isEqualTo("glucose 2.4 mmol/L");
        assertThat(updated.getDouble("lastValue")).isEqualTo(2.9);

        AlertChange back = one(db.signals.apply(List.of(glucose(patient, Kind.BACK_IN_RANGE, Severity.CRITICAL, 5.5,
                T0 + 40 * MINUTE, 2.4, T0 + 10 * MINUTE, true)), NOW));
        assertThat(back.kind()).as("stored, nobody notified").isEqualTo(AlertChange.Kind.UPDATED);
        assertThat(back.alert().getString("status")).isEqualTo("open");
        assertThat(back.alert().getString("backInRangeAt")).isEqualTo(Instant.ofEpochMilli(T0 + 40 * MINUTE).toString());
        assertThat(back.alert().getString("detail")).as("the headline stays").isEqualTo("glucose 2.4 mmol/L");
        assertThat(back.alert().getDouble("value")).isEqualTo(2.4);

        JsonObject stale = one(db.signals.apply(List.of(glucose(patient, Kind.UPDATE, Severity.CRITICAL, 2.8,
                T0 + 30 * MINUTE, 2.8, T0 + 30 * MINUTE, true)), NOW)).alert();
        assertThat(stale.getDouble("value")).as("a milder figure never replaces the headline").isEqualTo(2.4);
        assertThat(stale.getString("backInRangeAt")).as("a late reading from before the mark leaves it").isNotNull();

        assertThat(db.escalation.escalateDue(NOW.plus(Duration.ofMinutes(20)), Duration.ofMinutes(15), 1000))
                .as("unacknowledged, it escalates like any open critical alert")
                .anySatisfy(ch -> assertThat(ch.alert().getLong("id")).isEqualTo(id));
        db.actions.acknowledge(id, "dr.zhao", NOW);

        AlertChange recurred = one(db.signals.apply(List.of(glucose(patient, Kind.RECUR, Severity.CRITICAL, 2.6,
                T0 + 3 * 60 * MINUTE, 2.4, T0 + 10 * MINUTE, false)), NOW));
        assertThat(recurred.kind()).as("the doctor hears of it again").isEqualTo(AlertChange.Kind.ESCALATED);
        assertThat(recurred.alert().getString("status")).as("reopened").isEqualTo("open");
        assertThat(recurred.alert().containsKey("backInRangeAt")).isFalse();
        assertThat(recurred.alert().getDouble("value")).isEqualTo(2.4);
        assertThat(recurred.alert().getDouble("lastValue")).isEqualTo(2.6);

        AlertChange cleared = one(db.signals.apply(List.of(glucose(patient, Kind.CLEAR, Severity.WARNING, 5.6,
                T0 + 4 * 60 * MINUTE, 3.5, T0 + 4 * 60 * MINUTE, false)), NOW));
        assertThat(cleared.alert().getString("status")).as("a clear of a lesser severity only marks it").isEqualTo("open");
        assertThat(cleared.alert().getString("backInRangeAt")).isEqualTo(Instant.ofEpochMilli(T0 + 4 * 60 * MINUTE).toString());

        AlertChange resolved = db.actions.resolve(id, "dr.zhao", "contacted_patient", null, NOW);
        assertThat(resolved.alert().getString("resolvedBy")).isEqualTo("dr.zhao");
        assertThat(db.queries.transitions(id).orElseThrow()).extracting(t -> ((JsonObject) t).getString("change"))
                .containsExactly("opened", "reminded", "acknowledged", "escalated", "resolved");
        assertThat(db.queries.transitions(id).orElseThrow().getJsonObject(3).getString("note"))
                .isEqualTo("back after it was back in range: glucose 2.6 mmol/L");
    }

    /** Verifies that a warning that clears keeps its worst reading as its headline, not the one that cleared it. */
    @Test
    void anAutomaticallyResolvedAlertKeepsItsHeadline() throws Exception {
        long patient = newPatient("diabetes");
        db.signals.apply(List.of(glucose(patient, Kind.OPEN, Severity.WARNING, 3.6, T0, 3.6, T0, false)), NOW);
        AlertChange resolved = one(db.signals.apply(List.of(glucose(patient, Kind.CLEAR, Severity.WARNING, 5.5,
                T0 + 20 * MINUTE, 3.6, T0, false)), NOW));
        assertThat(resolved.kind()).isEqualTo(AlertChange.Kind.RESOLVED);
        assertThat(resolved.alert().getString("detail")).isEqualTo("glucose 3.6 mmol/L");
        assertThat(resolved.alert().getString("backInRangeAt")).isEqualTo(Instant.ofEpochMilli(T0 + 20 * MINUTE).toString());
        assertThat(db.queries.transitions(resolved.alert().getLong("id")).orElseThrow().getJsonObject(1).getString("note"))
                .isEqualTo("auto_cleared: glucose 5.5 mmol/L, back in range");
    }

    /** Verifies that a flapping episode with no active alert is made active silently, and a second open folds in. */
    @Test
    void flapSuppressedAndRepeatedOpensNeverMakeASecondActiveAlert() throws Exception {
        long patient = newPatient("hypertension");
        AlertChange flap = one(db.signals.apply(List.of(signal(patient, Kind.FLAP_SUPPRESSED, Severity.WARNING, 162, T0, 4, false)), NOW));
        assertThat(flap.kind()).as("stored, not notified").isEqualTo(AlertChange.Kind.UPDATED);
        AlertChange again = one(db.signals.apply(List.of(signal(patient, Kind.OPEN, Severity.WARNING, 164, T0 + MINUTE, 5, false)), NOW));
        assertThat(again.kind()).isEqualTo(AlertChange.Kind.UPDATED);
        assertThat(again.alert().getLong("id")).isEqualTo(flap.alert().getLong("id"));
        assertThat(db.queries.list(null, "open", patient, null, 10)).hasSize(1);
    }

    /** Verifies a doctor's resolution with a disposition, the conflict on a second one, and what a rebuild reads. */
    @Test
    void aDoctorsResolutionIsRecordedAndIsWhatARebuildSees() throws Exception {
        long patient = newPatient("diabetes", "heart_failure");
        long id = one(db.signals.apply(List.of(signal(patient, Kind.OPEN, Severity.CRITICAL, 190, T0, 1, false)), NOW)).alert().getLong("id");

        AlertChange resolved = db.actions.resolve(id, "dr.li", "referred", "to county hospital", NOW);
        assertThat(resolved.alert().getString("disposition")).isEqualTo("referred");
        assertThat(resolved.alert().getString("resolvedBy")).isEqualTo("dr.li");
        assertThatThrownBy(() -> db.actions.resolve(id, "dr.li", "false_alarm", null, NOW))
                .isInstanceOfSatisfying(AlertRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(AlertRefusedException.Reason.RESOLVED));
        assertThatThrownBy(() -> db.actions.resolve(987_654, "dr.li", "false_alarm", null, NOW))
                .isInstanceOfSatisfying(AlertRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(AlertRefusedException.Reason.UNKNOWN));
        assertThat(db.queries.transitions(id).orElseThrow().getJsonObject(1).getString("note")).isEqualTo("referred: to county hospital");
        assertThat(db.queries.transitions(987_654)).isEmpty();

        PatientSnapshot snapshot = db.history.load(patient, Duration.ofDays(15), NOW).orElseThrow();
        assertThat(snapshot.profile().conditions()).containsExactlyInAnyOrder(Condition.DIABETES, Condition.HEART_FAILURE);
        assertThat(snapshot.history()).isEmpty();
        assertThat(snapshot.known()).containsExactly(new KnownAlert("blood_pressure_high", Severity.CRITICAL, false, T0));
        assertThat(db.history.load(987_654, Duration.ofDays(15), NOW)).isEmpty();
    }

    /**
     * A contract changed without the alerting node hearing of it: the sweep's stale-routing pass still moves the
     * active alert to the doctor responsible now, once, and leaves a resolved one where it was.
     */
    @Test
    void activeAlertsFollowTheContractEvenWithoutTheChangeEvent() throws Exception {
        long patient = newPatient("hypertension");
        AlertChange opened = one(db.signals.apply(List.of(signal(patient, Kind.OPEN, Severity.CRITICAL, 190, T0, 1, false)), NOW));
        long firstDoctor = opened.alert().getLong("doctorId");
        long successor;
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            long team = insert(c, "SELECT team_id FROM contract WHERE patient_id = " + patient);
            successor = insert(c, "INSERT INTO doctor (name, organisation_id) SELECT 'Dr S', organisation_id FROM team"
                    + " WHERE id = " + team + " RETURNING id");
            s.execute("INSERT INTO team_member (team_id, doctor_id) VALUES (" + team + ", " + successor + ")");
            s.execute("UPDATE contract SET valid_to = now() WHERE patient_id = " + patient);
            s.execute("INSERT INTO contract (patient_id, team_id, doctor_id, valid_from, created_by) VALUES ("
                    + patient + ", " + team + ", " + successor + ", now(), 'test')");
        }
        List<AlertChange> moved = db.escalation.rerouteStale(NOW).stream()
                .filter(ch -> ch.alert().getLong("patientId") == patient).toList();
        assertThat(moved).singleElement().satisfies(ch -> {
            assertThat(ch.kind()).isEqualTo(AlertChange.Kind.REROUTED);
            assertThat(ch.alert().getLong("doctorId")).isEqualTo(successor);
        });
        assertThat(firstDoctor).isNotEqualTo(successor);
        assertThat(db.escalation.rerouteStale(NOW).stream().filter(ch -> ch.alert().getLong("patientId") == patient))
                .as("a second pass changes nothing").isEmpty();
        assertThat(db.queries.transitions(opened.alert().getLong("id")).orElseThrow().getJsonObject(1).getString("change"))
                .isEqualTo("rerouted");
    }

    /**
     * A care plan's expected measurement last taken before the lookback: the snapshot carries that newest reading
     * (and only it), so missing data counts from it after a restart, not from the start of monitoring.
     */
    @Test
    void theSnapshotCarriesTheNewestExpectedReadingFromBeforeTheLookback() throws Exception {
        long patient = newPatient("heart_failure");
        long twentyDaysAgo = NOW.minus(Duration.ofDays(20)).toEpochMilli();
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO care_plan (patient_id, version, plan, changed_by) VALUES (" + patient + ", 1,"
                    + " '{\"expected\": [{\"metric\": \"body_weight\", \"every\": \"P14D\"}]}', 'test')");
            for (long ts : new long[] {twentyDaysAgo - 86_400_000L, twentyDaysAgo}) {
                s.execute("INSERT INTO reading (ts, patient_id, metric, device_id, value) VALUES (to_timestamp("
                        + ts / 1000.0 + "), " + patient + ", " + Metric.BODY_WEIGHT.code() + ", 7, 71.5)");
            }
        }
        PatientSnapshot snapshot = db.history.load(patient, Duration.ofDays(15), NOW).orElseThrow();
        assertThat(snapshot.profile().expected()).extracting(e -> e.metric()).containsExactly(Metric.BODY_WEIGHT);
        assertThat(snapshot.history()).singleElement().satisfies(r -> {
            assertThat(r.metric()).isEqualTo(Metric.BODY_WEIGHT);
            assertThat(r.measuredAt()).isEqualTo(twentyDaysAgo);
        });
    }

    /**
     * A rebuild reads many patients at once: each patient's snapshot is the one read alone (history in order with
     * its log positions, the newest expected reading from before the lookback, known alerts), and an unknown
     * patient has none.
     */
    /** Verifies that a history comes in measurement order, whatever order its rows were stored or found in. */
    @Test
    void aHistoryComesInMeasurementOrder() throws Exception {
        long patient = newPatient("hypertension");
        // Stored newest first, two metrics interleaved in time: neither heap nor index order is measurement order.
        long[][] rows = {{3, Metric.SYSTOLIC_BP.code(), 150}, {2, Metric.HEART_RATE.code(), 70},
                {1, Metric.SYSTOLIC_BP.code(), 140}};
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            for (long[] row : rows) {
                s.execute("INSERT INTO reading (ts, patient_id, metric, device_id, value) VALUES (to_timestamp("
                        + NOW.minus(Duration.ofHours(10 - row[0])).getEpochSecond() + "), " + patient + ", " + row[1]
                        + ", 3, " + row[2] + ")");
            }
        }

        PatientSnapshot snapshot = db.history.load(patient, Duration.ofDays(15), NOW).orElseThrow();

        assertThat(snapshot.history()).extracting(r -> r.value()).containsExactly(140.0, 70.0, 150.0);
        assertThat(snapshot.history()).extracting(r -> r.measuredAt()).as("times as stored").containsExactly(
                hoursAgo(9), hoursAgo(8), hoursAgo(7));
    }

    private static long hoursAgo(int hours) {
        return Instant.ofEpochSecond(NOW.minus(Duration.ofHours(hours)).getEpochSecond()).toEpochMilli();
    }

    @Test
    void patientsLoadedTogetherAreLoadedAsEachAlone() throws Exception {
        long measured = newPatient("hypertension");
        long expecting = newPatient("heart_failure");
        long quiet = newPatient("diabetes");
        long stream = 5L << 32;
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            for (int day = 2; day >= 1; day--) {
                s.execute("INSERT INTO reading (ts, patient_id, metric, device_id, value, log_pos) VALUES (to_timestamp("
                        + NOW.minus(Duration.ofDays(day)).getEpochSecond() + "), " + measured + ", "
                        + Metric.SYSTOLIC_BP.code() + ", 3, " + (150 + day) + ", " + (stream + 3 - day) + ")");
            }
            s.execute("INSERT INTO care_plan (patient_id, version, plan, changed_by) VALUES (" + expecting + ", 1,"
                    + " '{\"expected\": [{\"metric\": \"body_weight\", \"every\": \"P14D\"}]}', 'test')");
            s.execute("INSERT INTO reading (ts, patient_id, metric, device_id, value) VALUES (to_timestamp("
                    + NOW.minus(Duration.ofDays(20)).getEpochSecond() + "), " + expecting + ", "
                    + Metric.BODY_WEIGHT.code() + ", 7, 71.5)");
        }
        one(db.signals.apply(List.of(signal(measured, Kind.OPEN, Severity.CRITICAL, 190, T0, 1, false)), NOW));

        Map<Long, PatientSnapshot> together =
                db.history.loadAll(List.of(measured, expecting, quiet, 987_654L), Duration.ofDays(15), NOW);

        assertThat(together).containsOnlyKeys(measured, expecting, quiet);
        for (long patient : List.of(measured, expecting, quiet)) {
            assertThat(together.get(patient)).as("patient %d", patient)
                    .isEqualTo(db.history.load(patient, Duration.ofDays(15), NOW).orElseThrow());
        }
        PatientSnapshot first = together.get(measured);
        assertThat(first.history()).extracting(r -> r.value()).containsExactly(152.0, 151.0);
        assertThat(first.positions()).containsExactly(Map.entry(5L, stream + 2));
        assertThat(first.known()).extracting(KnownAlert::ruleId).containsExactly("blood_pressure_high");
        assertThat(together.get(expecting).history()).extracting(r -> r.metric()).containsExactly(Metric.BODY_WEIGHT);
        assertThat(together.get(quiet).history()).isEmpty();
        assertThat(together.get(quiet).known()).isEmpty();
    }
}
