package org.vigil.chronic.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.vigil.chronic.followup.Classification;
import org.vigil.chronic.followup.NextFollowUp;
import org.vigil.chronic.followup.Overdue;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.db.Transactions;
import org.vigil.common.model.Condition;

/**
 * Follow-ups ({@code follow_up}): recording with its audit event, the list, the next due date and the overdue list
 * (scoped by the registry's {@code visible_patients}). Blocking: call from worker threads.
 */
public final class FollowUpStore {

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

    private final DataSource dataSource;

    public FollowUpStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** The classification of the patient's newest follow-up on or before {@code day}, or {@code null}. */
    public Classification previousClassification(long patientId, LocalDate day) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(PREVIOUS_CLASSIFICATION)) {
            ps.setLong(1, patientId);
            ps.setDate(2, Date.valueOf(day));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Classification.NAMES.find(rs.getString(1)) : null;
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
        return PatientRows.list(c, FOLLOW_UPS, patientId, limit, rs -> new JsonObject()
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
}
