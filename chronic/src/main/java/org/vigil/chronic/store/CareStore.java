package org.vigil.chronic.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.vigil.chronic.control.ControlResult;
import org.vigil.chronic.control.ControlStatus;
import org.vigil.chronic.control.Observation;
import org.vigil.chronic.control.OfficeMeasurement;
import org.vigil.chronic.followup.Classification;
import org.vigil.chronic.followup.NextFollowUp;
import org.vigil.chronic.followup.Overdue;
import org.vigil.chronic.grade.GradeSuggestion;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.db.Transactions;
import org.vigil.common.model.Condition;
import org.vigil.common.model.MeasurementContext;
import org.vigil.common.model.Metric;

/**
 * The chronic module's JDBC: its own tables ({@code follow_up}, {@code management_grade}, {@code control_status})
 * and the read contracts of the other modules ({@code care_roster}, {@code care_readings}, {@code alert_response}).
 * Access is decided by the registry's {@code doctor_sees_patient} / {@code visible_patients}, the same functions
 * every other API uses. Blocking: call from worker threads.
 */
public final class CareStore {

    private static final String ROSTER = """
            SELECT patient_id, patient_name, doctor_id, team_id, organisation_id, valid_from, conditions
              FROM care_roster
             WHERE patient_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)""";
    private static final String SEES = "SELECT doctor_sees_patient(?, ?)";
    private static final String READINGS = "SELECT metric, ts, value, context FROM care_readings(?, ?, ?, ?)";
    private static final String OFFICE_BP = """
            SELECT done_on, (measurements->>'systolic_bp')::float8, (measurements->>'diastolic_bp')::float8
              FROM follow_up
             WHERE patient_id = ? AND measurements->>'systolic_bp' IS NOT NULL
               AND measurements->>'diastolic_bp' IS NOT NULL AND done_on <= ?
             ORDER BY done_on DESC, id DESC LIMIT 1""";
    private static final String OFFICE_FPG = """
            SELECT done_on, (measurements->>'fasting_glucose')::float8
              FROM follow_up
             WHERE patient_id = ? AND measurements->>'fasting_glucose' IS NOT NULL AND done_on <= ?
             ORDER BY done_on DESC, id DESC LIMIT 1""";
    private static final String CURRENT_STATUS = """
            SELECT status, since_at FROM control_status
             WHERE patient_id = ? AND condition = ? AND until_at IS NULL FOR UPDATE""";
    private static final String UPDATE_STATUS = """
            UPDATE control_status SET figures = ?::jsonb, evaluated_at = ?
             WHERE patient_id = ? AND condition = ? AND until_at IS NULL""";
    private static final String REPLACE_STATUS = """
            UPDATE control_status SET status = ?, figures = ?::jsonb, evaluated_at = ?
             WHERE patient_id = ? AND condition = ? AND until_at IS NULL""";
    private static final String CLOSE_STATUS = """
            UPDATE control_status SET until_at = ? WHERE patient_id = ? AND condition = ? AND until_at IS NULL""";
    private static final String OPEN_STATUS = """
            INSERT INTO control_status (patient_id, condition, status, since_at, figures, evaluated_at)
            VALUES (?, ?, ?, ?, ?::jsonb, ?)""";
    private static final String STATUSES = """
            SELECT condition, status, since_at FROM control_status WHERE patient_id = ? AND until_at IS NULL
             ORDER BY condition""";
    private static final String PREVIOUS_CLASSIFICATION = """
            SELECT classification FROM follow_up WHERE patient_id = ? AND done_on <= ?
             ORDER BY done_on DESC, id DESC LIMIT 1""";
    private static final String INSERT_FOLLOW_UP = """
            INSERT INTO follow_up (patient_id, conditions, done_on, type, doctor_id, measurements, classification,
                                   actions, note, next_rule, next_due, referral_suggested, recorded_by, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""";
    private static final String FOLLOW_UPS = """
            SELECT id, conditions, done_on, type, doctor_id, measurements::text, classification, actions, note,
                   next_rule, next_due, referral_suggested, recorded_by, recorded_at
              FROM follow_up WHERE patient_id = ? ORDER BY done_on DESC, id DESC LIMIT ?""";
    private static final String NEXT_DUE = """
            SELECT next_rule, next_due, done_on FROM follow_up WHERE patient_id = ?
             ORDER BY done_on DESC, id DESC LIMIT 1""";
    /** Managed patients of a doctor now (contract valid at ?), with the newest follow-up's due date. */
    private static final String OVERDUE = """
            SELECT r.patient_id, r.patient_name, r.doctor_id, r.valid_from, f.next_rule, f.next_due, f.done_on
              FROM care_roster r
              LEFT JOIN LATERAL (SELECT next_rule, next_due, done_on FROM follow_up
                                  WHERE patient_id = r.patient_id ORDER BY done_on DESC, id DESC LIMIT 1) f ON true
             WHERE r.doctor_id = ? AND r.valid_from <= ? AND (r.valid_to IS NULL OR r.valid_to > ?)
               AND cardinality(r.conditions) > 0
               AND (?::bigint IS NULL OR r.patient_id IN (SELECT patient_id FROM visible_patients(?)))""";
    private static final String CRITICAL_ALERTS = """
            SELECT count(*) FROM alert_response WHERE patient_id = ? AND severity = 'critical' AND opened_at >= ?""";
    private static final String OPEN_ALERTS = """
            SELECT severity, count(*) FROM alert_response WHERE patient_id = ? AND status <> 'resolved' GROUP BY severity""";
    private static final String INSERT_GRADE = """
            INSERT INTO management_grade (patient_id, grade, suggested, reasons, decision, note, decided_by, decided_at)
            VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?) RETURNING id""";
    private static final String GRADES = """
            SELECT id, grade, suggested, reasons::text, decision, note, decided_by, decided_at
              FROM management_grade WHERE patient_id = ? ORDER BY id DESC LIMIT ?""";
    private static final String COUNT_DAYS = "SELECT metric, day, readings FROM care_reading_days(?, ?, ?, ?)";
    private static final String MONTHS = """
            SELECT metric, month, days FROM measurement_month WHERE patient_id = ? AND month >= ? FOR UPDATE""";
    private static final String PUT_MONTH = """
            INSERT INTO measurement_month (patient_id, metric, month, days) VALUES (?, ?, ?, ?)
            ON CONFLICT (patient_id, metric, month) DO UPDATE SET days = EXCLUDED.days""";
    private static final String MANAGED_PATIENTS = """
            SELECT DISTINCT patient_id FROM care_roster
             WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) AND cardinality(conditions) > 0
               AND patient_id > ? ORDER BY patient_id LIMIT ?""";

    private final DataSource dataSource;

    public CareStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** The patient's contract at {@code at}, or empty when she has none (or does not exist). */
    public Optional<Roster> roster(long patientId, Instant at) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ROSTER)) {
            ps.setLong(1, patientId);
            ps.setTimestamp(2, Timestamp.from(at));
            ps.setTimestamp(3, Timestamp.from(at));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Roster(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                        rs.getLong(5), rs.getTimestamp(6).toInstant(), conditions(rs.getArray(7)), null));
            }
        }
    }

    /** Whether a doctor ({@code scope}; {@code null} for admin) may see the patient now: the registry's rule. */
    public boolean sees(Long scope, long patientId) throws SQLException {
        if (scope == null) {
            return true;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SEES)) {
            ps.setLong(1, scope);
            ps.setLong(2, patientId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** Home readings of the control metrics in [since, until). */
    public List<Observation> readings(long patientId, Instant since, Instant until) throws SQLException {
        List<Observation> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(READINGS)) {
            ps.setLong(1, patientId);
            ps.setArray(2, c.createArrayOf("int2", new Object[] {(short) Metric.SYSTOLIC_BP.code(),
                    (short) Metric.DIASTOLIC_BP.code(), (short) Metric.GLUCOSE.code(), (short) Metric.SPO2.code(),
                    (short) Metric.BODY_WEIGHT.code()}));
            ps.setTimestamp(3, Timestamp.from(since));
            ps.setTimestamp(4, Timestamp.from(until));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Observation(Metric.byCode(rs.getShort(1)), rs.getTimestamp(2).toInstant(),
                            rs.getDouble(3), MeasurementContext.byCode(rs.getShort(4))));
                }
            }
        }
        return out;
    }

    /** The newest follow-up on or before {@code day} with an office BP, as an office measurement of BP only. */
    public Optional<OfficeMeasurement> officeBp(long patientId, LocalDate day) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(OFFICE_BP)) {
            ps.setLong(1, patientId);
            ps.setDate(2, Date.valueOf(day));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new OfficeMeasurement(rs.getDate(1).toLocalDate(), rs.getDouble(2),
                        rs.getDouble(3), null)) : Optional.empty();
            }
        }
    }

    /** The newest follow-up on or before {@code day} with a fasting glucose. */
    public Optional<OfficeMeasurement> officeFastingGlucose(long patientId, LocalDate day) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(OFFICE_FPG)) {
            ps.setLong(1, patientId);
            ps.setDate(2, Date.valueOf(day));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new OfficeMeasurement(rs.getDate(1).toLocalDate(), null, null,
                        rs.getDouble(2))) : Optional.empty();
            }
        }
    }

    /**
     * Records an evaluation: the current spell keeps its start when the status is unchanged (its figures are
     * updated), otherwise it ends now and a new spell begins. Returns the spell's start (since when).
     */
    public Instant record(long patientId, ControlResult result, JsonObject figures, Instant at) throws SQLException {
        // As PostgreSQL keeps it, so the start returned now equals the one read back later.
        Instant now = at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        try {
            return recordOnce(patientId, result, figures, now);
        } catch (SQLException e) {
            // Two evaluations of a patient without a current spell (the sweep and a doctor's read) both opened one:
            // the partial unique index let one in; the other, retried, now finds it.
            if (!"23505".equals(e.getSQLState())) {
                throw e;
            }
            return recordOnce(patientId, result, figures, now);
        }
    }

    private Instant recordOnce(long patientId, ControlResult result, JsonObject figures, Instant now) throws SQLException {
        String condition = result.condition().wireName();
        String status = result.status().wireName();
        return Transactions.run(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(CURRENT_STATUS)) {
                ps.setLong(1, patientId);
                ps.setString(2, condition);
                try (ResultSet rs = ps.executeQuery()) {
                    boolean current = rs.next();
                    if (current && rs.getString(1).equals(status)) {
                        Instant since = rs.getTimestamp(2).toInstant();
                        try (PreparedStatement up = c.prepareStatement(UPDATE_STATUS)) {
                            up.setString(1, figures.encode());
                            up.setTimestamp(2, Timestamp.from(now));
                            up.setLong(3, patientId);
                            up.setString(4, condition);
                            up.executeUpdate();
                        }
                        return since;
                    }
                    if (current && !rs.getTimestamp(2).toInstant().isBefore(now)) {
                        // The current spell began at this very moment (or, on a node whose clock is behind, later):
                        // it cannot end before it began, so it takes the new status itself.
                        Instant since = rs.getTimestamp(2).toInstant();
                        try (PreparedStatement up = c.prepareStatement(REPLACE_STATUS)) {
                            up.setString(1, status);
                            up.setString(2, figures.encode());
                            up.setTimestamp(3, Timestamp.from(now));
                            up.setLong(4, patientId);
                            up.setString(5, condition);
                            up.executeUpdate();
                        }
                        return since;
                    }
                }
            }
            try (PreparedStatement close = c.prepareStatement(CLOSE_STATUS)) {
                close.setTimestamp(1, Timestamp.from(now));
                close.setLong(2, patientId);
                close.setString(3, condition);
                close.executeUpdate();
            }
            try (PreparedStatement open = c.prepareStatement(OPEN_STATUS)) {
                open.setLong(1, patientId);
                open.setString(2, condition);
                open.setString(3, status);
                open.setTimestamp(4, Timestamp.from(now));
                open.setString(5, figures.encode());
                open.setTimestamp(6, Timestamp.from(now));
                open.executeUpdate();
            }
            return now;
        });
    }

    /** The patient's current status spells. */
    public List<GradeSuggestion.Spell> spells(long patientId) throws SQLException {
        List<GradeSuggestion.Spell> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(STATUSES)) {
            ps.setLong(1, patientId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Condition condition = Condition.fromWire(rs.getString(1));
                    if (condition != null) {
                        out.add(new GradeSuggestion.Spell(condition, ControlStatus.fromWire(rs.getString(2)),
                                rs.getTimestamp(3).toInstant()));
                    }
                }
            }
        }
        return out;
    }

    /** The classification of the patient's newest follow-up on or before {@code day}, or {@code null}. */
    public Classification previousClassification(long patientId, LocalDate day) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(PREVIOUS_CLASSIFICATION)) {
            ps.setLong(1, patientId);
            ps.setDate(2, Date.valueOf(day));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Classification.fromWire(rs.getString(1)) : null;
            }
        }
    }

    /** A follow-up as the API receives it, validated. */
    public record NewFollowUp(long patientId, Set<Condition> conditions, LocalDate doneOn, String type, long doctorId,
            JsonObject measurements, Classification classification, List<String> actions, String note) {
    }

    /** Stores a follow-up with its audit event in one transaction; returns it as the API shows it. */
    public JsonObject addFollowUp(NewFollowUp f, NextFollowUp next, String actor, Instant now) throws SQLException {
        return Transactions.run(dataSource, c -> {
            long id;
            try (PreparedStatement ps = c.prepareStatement(INSERT_FOLLOW_UP)) {
                ps.setLong(1, f.patientId());
                ps.setArray(2, c.createArrayOf("text", f.conditions().stream().map(Condition::wireName).sorted().toArray()));
                ps.setDate(3, Date.valueOf(f.doneOn()));
                ps.setString(4, f.type());
                ps.setLong(5, f.doctorId());
                ps.setString(6, f.measurements().encode());
                ps.setString(7, f.classification().wireName());
                ps.setArray(8, c.createArrayOf("text", f.actions().toArray()));
                ps.setString(9, f.note());
                ps.setString(10, next.rule());
                ps.setDate(11, Date.valueOf(next.due()));
                ps.setBoolean(12, next.referralSuggested());
                ps.setString(13, actor);
                ps.setTimestamp(14, Timestamp.from(now));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            AuditLog.append(c, new AuditLog.Event(actor, "follow_up.recorded", "follow_up", id, f.patientId(),
                    AuditLog.detail("classification", f.classification().wireName(), "type", f.type(),
                            "doneOn", f.doneOn().toString(), "nextDue", next.due().toString())));
            return followUps(c, f.patientId(), 1).get(0);
        });
    }

    /** The patient's follow-ups, newest first. */
    public List<JsonObject> followUps(long patientId, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return followUps(c, patientId, limit);
        }
    }

    private static List<JsonObject> followUps(Connection c, long patientId, int limit) throws SQLException {
        List<JsonObject> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(FOLLOW_UPS)) {
            ps.setLong(1, patientId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new JsonObject()
                            .put("id", rs.getLong(1))
                            .put("patientId", patientId)
                            .put("conditions", new JsonArray(List.of((Object[]) rs.getArray(2).getArray())))
                            .put("date", rs.getDate(3).toLocalDate().toString())
                            .put("type", rs.getString(4))
                            .put("doctorId", rs.getLong(5))
                            .put("measurements", new JsonObject(rs.getString(6)))
                            .put("classification", rs.getString(7))
                            .put("actions", new JsonArray(List.of((Object[]) rs.getArray(8).getArray())))
                            .put("note", rs.getString(9))
                            .put("next", new JsonObject().put("rule", rs.getString(10))
                                    .put("due", rs.getDate(11).toLocalDate().toString())
                                    .put("referralSuggested", rs.getBoolean(12)))
                            .put("recordedBy", rs.getString(13))
                            .put("recordedAt", rs.getTimestamp(14).toInstant().toString()));
                }
            }
        }
        return out;
    }

    /** The newest follow-up's next rule and due date; for a patient never followed up, due since she was managed. */
    public Overdue nextDue(Roster roster, LocalDate today, java.time.ZoneId zone) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(NEXT_DUE)) {
            ps.setLong(1, roster.patientId());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    LocalDate due = rs.getDate(2).toLocalDate();
                    return new Overdue(roster.patientId(), roster.name(), roster.doctorId(), rs.getString(1), due,
                            rs.getDate(3).toLocalDate(), Math.max(0, Overdue.daysOverdue(due, today)));
                }
            }
        }
        LocalDate due = LocalDate.ofInstant(roster.managedSince(), zone);
        return new Overdue(roster.patientId(), roster.name(), roster.doctorId(), NextFollowUp.FIRST, due, null,
                Math.max(0, Overdue.daysOverdue(due, today)));
    }

    /** A doctor's managed patients whose follow-up is missed on {@code today}, most urgent first. */
    public List<Overdue> overdue(long doctorId, Long scope, Instant now, LocalDate today, java.time.ZoneId zone)
            throws SQLException {
        List<Overdue> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(OVERDUE)) {
            ps.setLong(1, doctorId);
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setTimestamp(3, Timestamp.from(now));
            ps.setObject(4, scope, java.sql.Types.BIGINT);
            ps.setObject(5, scope, java.sql.Types.BIGINT);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String rule = rs.getString(5);
                    LocalDate due = rule == null ? LocalDate.ofInstant(rs.getTimestamp(4).toInstant(), zone)
                            : rs.getDate(6).toLocalDate();
                    if (Overdue.missed(due, today)) {
                        out.add(new Overdue(rs.getLong(1), rs.getString(2), rs.getLong(3),
                                rule == null ? NextFollowUp.FIRST : rule, due,
                                rule == null ? null : rs.getDate(7).toLocalDate(), Overdue.daysOverdue(due, today)));
                    }
                }
            }
        }
        return Overdue.sorted(out);
    }

    /** Critical alerts of the patient opened since {@code since}. */
    public int criticalAlerts(long patientId, Instant since) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(CRITICAL_ALERTS)) {
            ps.setLong(1, patientId);
            ps.setTimestamp(2, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The patient's alerts not yet resolved, counted by severity. */
    public JsonObject openAlerts(long patientId) throws SQLException {
        JsonObject out = new JsonObject().put("warning", 0).put("critical", 0);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(OPEN_ALERTS)) {
            ps.setLong(1, patientId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return out;
    }

    /** Records a doctor's grade decision with its audit event; returns it as the API shows it. */
    public JsonObject decideGrade(long patientId, int grade, GradeSuggestion suggestion, String note, String actor,
            Instant now) throws SQLException {
        String decision = grade == suggestion.grade() ? "confirmed" : "overridden";
        return Transactions.run(dataSource, c -> {
            long id;
            try (PreparedStatement ps = c.prepareStatement(INSERT_GRADE)) {
                ps.setLong(1, patientId);
                ps.setInt(2, grade);
                ps.setInt(3, suggestion.grade());
                ps.setString(4, new JsonArray(new ArrayList<>(suggestion.reasons())).encode());
                ps.setString(5, decision);
                ps.setString(6, note);
                ps.setString(7, actor);
                ps.setTimestamp(8, Timestamp.from(now));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            AuditLog.append(c, new AuditLog.Event(actor, "grade." + decision, "management_grade", id, patientId,
                    AuditLog.detail("grade", grade, "suggested", suggestion.grade())));
            return grades(c, patientId, 1).get(0);
        });
    }

    /** The patient's grade decisions, newest first. */
    public List<JsonObject> grades(long patientId, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return grades(c, patientId, limit);
        }
    }

    private static List<JsonObject> grades(Connection c, long patientId, int limit) throws SQLException {
        List<JsonObject> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(GRADES)) {
            ps.setLong(1, patientId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new JsonObject().put("id", rs.getLong(1)).put("grade", rs.getInt(2))
                            .put("suggested", rs.getInt(3)).put("reasons", new JsonArray(rs.getString(4)))
                            .put("decision", rs.getString(5)).put("note", rs.getString(6))
                            .put("decidedBy", rs.getString(7))
                            .put("decidedAt", rs.getTimestamp(8).toInstant().toString()));
                }
            }
        }
        return out;
    }

    /**
     * Recounts the patient's readings per metric and day from {@code firstDay} (in {@code zone}) to {@code now}:
     * late uploads land in past days, so a recount replaces the days rather than adding to them.
     */
    public void recountDays(long patientId, LocalDate firstDay, Instant now, java.time.ZoneId zone) throws SQLException {
        LocalDate today = LocalDate.ofInstant(now, zone);
        LocalDate firstMonth = firstDay.withDayOfMonth(1);
        Transactions.run(dataSource, c -> {
            // metric code -> month -> counts per day; existing rows first, so days before firstDay keep their counts.
            java.util.Map<Integer, java.util.Map<LocalDate, int[]>> months = new java.util.TreeMap<>();
            java.util.Set<String> stored = new java.util.HashSet<>();
            try (PreparedStatement ps = c.prepareStatement(MONTHS)) {
                ps.setLong(1, patientId);
                ps.setDate(2, Date.valueOf(firstMonth));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        LocalDate month = rs.getDate(2).toLocalDate();
                        Integer[] days = (Integer[]) rs.getArray(3).getArray();
                        int[] counts = new int[month.lengthOfMonth()];
                        for (int d = 0; d < Math.min(days.length, counts.length); d++) {
                            counts[d] = days[d] == null ? 0 : days[d];
                        }
                        months.computeIfAbsent((int) rs.getShort(1), k -> new java.util.TreeMap<>()).put(month, counts);
                        stored.add(rs.getShort(1) + "/" + month);
                    }
                }
            }
            // The recounted days start from zero: a day without readings now has none.
            for (java.util.Map<LocalDate, int[]> byMonth : months.values()) {
                for (java.util.Map.Entry<LocalDate, int[]> e : byMonth.entrySet()) {
                    for (int d = 0; d < e.getValue().length; d++) {
                        LocalDate day = e.getKey().plusDays(d);
                        if (!day.isBefore(firstDay) && !day.isAfter(today)) {
                            e.getValue()[d] = 0;
                        }
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(COUNT_DAYS)) {
                ps.setLong(1, patientId);
                ps.setTimestamp(2, Timestamp.from(firstDay.atStartOfDay(zone).toInstant()));
                ps.setTimestamp(3, Timestamp.from(now));
                ps.setString(4, zone.getId());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        LocalDate day = rs.getDate(2).toLocalDate();
                        LocalDate month = day.withDayOfMonth(1);
                        months.computeIfAbsent((int) rs.getShort(1), k -> new java.util.TreeMap<>())
                                .computeIfAbsent(month, m -> new int[m.lengthOfMonth()])[day.getDayOfMonth() - 1] =
                                rs.getInt(3);
                    }
                }
            }
            try (PreparedStatement put = c.prepareStatement(PUT_MONTH)) {
                for (java.util.Map.Entry<Integer, java.util.Map<LocalDate, int[]>> m : months.entrySet()) {
                    for (java.util.Map.Entry<LocalDate, int[]> e : m.getValue().entrySet()) {
                        boolean empty = java.util.Arrays.stream(e.getValue()).allMatch(n -> n == 0);
                        if (empty && !stored.contains(m.getKey() + "/" + e.getKey())) {
                            continue;
                        }
                        put.setLong(1, patientId);
                        put.setShort(2, (short) (int) m.getKey());
                        put.setDate(3, Date.valueOf(e.getKey()));
                        put.setArray(4, c.createArrayOf("int4",
                                java.util.Arrays.stream(e.getValue()).boxed().toArray()));
                        put.addBatch();
                    }
                }
                put.executeBatch();
            }
            return null;
        });
    }

    /** A page of patients managed now (a contract and at least one condition), ids above {@code after}. */
    public List<Long> managedPatients(Instant now, long after, int limit) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(MANAGED_PATIENTS)) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setLong(3, after);
            ps.setInt(4, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    static Set<Condition> conditions(Array array) throws SQLException {
        Set<Condition> out = EnumSet.noneOf(Condition.class);
        for (Object o : (Object[]) array.getArray()) {
            Condition c = Condition.fromWire(String.valueOf(o));
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }
}
