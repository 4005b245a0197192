package org.vigil.chronic.store;

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
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;
import javax.sql.DataSource;
import org.vigil.chronic.control.ControlResult;
import org.vigil.chronic.control.ControlStatus;
import org.vigil.chronic.grade.GradeSuggestion;
import org.vigil.common.db.Transactions;
import org.vigil.common.model.Condition;

/**
 * The chronic module's maintained summaries: control-status spells ({@code control_status}) and day counts of home
 * readings ({@code measurement_month}, recounted from ingest's {@code care_reading_days}). Blocking: call from
 * worker threads.
 */
public final class StatusStore {

    /** Transaction lock per patient (class 1987; 1986 is the ingest log streams'). */
    private static final String LOCK_PATIENT = "SELECT pg_advisory_xact_lock(1987, (? % 2147483647)::int)";
    private static final String CURRENT_STATUS = """
            SELECT status, since_at FROM control_status
             WHERE patient_id = ? AND condition = ? AND until_at IS NULL FOR UPDATE""";
    static final String UPDATE_STATUS = """
            UPDATE control_status SET figures = ?::jsonb, evaluated_at = ?
             WHERE patient_id = ? AND condition = ? AND until_at IS NULL""";
    static final String REPLACE_STATUS = """
            UPDATE control_status SET status = ?, figures = ?::jsonb, evaluated_at = ?
             WHERE patient_id = ? AND condition = ? AND until_at IS NULL""";
    static final String CLOSE_STATUS = """
            UPDATE control_status SET until_at = ? WHERE patient_id = ? AND condition = ? AND until_at IS NULL""";
    static final String OPEN_STATUS = """
            INSERT INTO control_status (patient_id, condition, status, since_at, figures, evaluated_at)
            VALUES (?, ?, ?, ?, ?::jsonb, ?)""";
    private static final String STATUSES = """
            SELECT condition, status, since_at FROM control_status WHERE patient_id = ? AND until_at IS NULL
             ORDER BY condition""";
    private static final String COUNT_DAYS = "SELECT metric, day, readings FROM care_reading_days(?, ?, ?, ?)";
    private static final String MONTHS = """
            SELECT metric, month, days FROM measurement_month WHERE patient_id = ? AND month >= ?
             ORDER BY metric, month FOR UPDATE""";
    private static final String MANY_MONTHS = """
            SELECT patient_id, metric, month, days FROM measurement_month WHERE patient_id = ANY (?) AND month >= ?
             ORDER BY patient_id, metric, month FOR UPDATE""";
    private static final String MANY_COUNT_DAYS = """
            SELECT p.id, d.metric, d.day, d.readings
              FROM unnest(?::bigint[]) AS p (id), LATERAL care_reading_days(p.id, ?, ?, ?) d""";
    private static final String PUT_MONTH = """
            INSERT INTO measurement_month (patient_id, metric, month, days, total) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (patient_id, metric, month) DO UPDATE SET days = EXCLUDED.days, total = EXCLUDED.total""";

    private final DataSource dataSource;

    public StatusStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
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

    /** One patient's evaluation of one condition for {@link #record(List, Instant)}. */
    public record Evaluation(long patientId, ControlResult result, JsonObject figures) {
    }

    /**
     * {@link #record(long, ControlResult, JsonObject, Instant)} for many evaluations in one transaction: the patients'
     * locks in ascending id order (the single path takes one, so neither can deadlock the other), their current
     * spells in one query, and the updates, closes and new spells as JDBC batches. Returns each spell's start, in the
     * order of {@code evaluations}; at most one evaluation per patient and condition.
     */
    public List<Instant> record(List<Evaluation> evaluations, Instant at) throws SQLException {
        if (evaluations.isEmpty()) {
            return List.of();
        }
        Instant now = at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        try {
            return Transactions.run(dataSource, c -> SpellBatch.write(c, evaluations, now));
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState())) {
                throw e;
            }
            return Transactions.run(dataSource, c -> SpellBatch.write(c, evaluations, now));
        }
    }

    /** Rewrites the current spell's figures (and, given one, its status) as of now. */
    private static void rewrite(Connection c, String sql, String status, JsonObject figures, Instant now,
            long patientId, String condition) throws SQLException {
        try (PreparedStatement up = c.prepareStatement(sql)) {
            int i = 1;
            if (status != null) {
                up.setString(i++, status);
            }
            up.setString(i++, figures.encode());
            up.setTimestamp(i++, Timestamp.from(now));
            up.setLong(i++, patientId);
            up.setString(i, condition);
            up.executeUpdate();
        }
    }

    private Instant recordOnce(long patientId, ControlResult result, JsonObject figures, Instant now) throws SQLException {
        String condition = result.condition().wireName();
        String status = result.status().wireName();
        return Transactions.run(dataSource, c -> {
            // One evaluation of a patient at a time: a read and the sweep may evaluate her together, and under READ
            // COMMITTED the later transaction would otherwise close a spell it never read, with its own earlier
            // instant (an end before the start). Waiting here, it reads that spell and the checks below apply.
            try (PreparedStatement lock = c.prepareStatement(LOCK_PATIENT)) {
                lock.setLong(1, patientId);
                lock.execute();
            }
            try (PreparedStatement ps = c.prepareStatement(CURRENT_STATUS)) {
                ps.setLong(1, patientId);
                ps.setString(2, condition);
                try (ResultSet rs = ps.executeQuery()) {
                    boolean current = rs.next();
                    if (current && rs.getString(1).equals(status)) {
                        Instant since = rs.getTimestamp(2).toInstant();
                        rewrite(c, UPDATE_STATUS, null, figures, now, patientId, condition);
                        return since;
                    }
                    if (current && !rs.getTimestamp(2).toInstant().isBefore(now)) {
                        // The current spell began at this very moment (or, on a node whose clock is behind, later):
                        // it cannot end before it began, so it takes the new status itself.
                        Instant since = rs.getTimestamp(2).toInstant();
                        rewrite(c, REPLACE_STATUS, status, figures, now, patientId, condition);
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

    /**
     * Recounts the patient's readings per metric and day from {@code firstDay} (in {@code zone}) to {@code now}:
     * late uploads land in past days, so a recount replaces the days rather than adding to them.
     */
    public void recountDays(long patientId, LocalDate firstDay, Instant now, ZoneId zone) throws SQLException {
        LocalDate today = LocalDate.ofInstant(now, zone);
        Transactions.run(dataSource, c -> {
            MonthCounts counts = new MonthCounts();
            try (PreparedStatement ps = c.prepareStatement(MONTHS)) {
                ps.setLong(1, patientId);
                ps.setDate(2, Date.valueOf(firstDay.withDayOfMonth(1)));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counts.stored(rs.getShort(1), rs.getDate(2).toLocalDate(), (Integer[]) rs.getArray(3).getArray());
                    }
                }
            }
            counts.zero(firstDay, today);
            try (PreparedStatement ps = c.prepareStatement(COUNT_DAYS)) {
                ps.setLong(1, patientId);
                ps.setTimestamp(2, Timestamp.from(firstDay.atStartOfDay(zone).toInstant()));
                ps.setTimestamp(3, Timestamp.from(now));
                ps.setString(4, zone.getId());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counts.count(rs.getShort(1), rs.getDate(2).toLocalDate(), rs.getInt(3));
                    }
                }
            }
            try (PreparedStatement put = c.prepareStatement(PUT_MONTH)) {
                counts.addTo(c, put, patientId);
                put.executeBatch();
            }
            return null;
        });
    }

    /**
     * {@link #recountDays(long, LocalDate, Instant, ZoneId)} for many patients in one transaction and three
     * statements. Rows are locked by patient, metric and month, the order the single recount locks one patient's in.
     */
    public void recountDays(List<Long> patientIds, LocalDate firstDay, Instant now, ZoneId zone) throws SQLException {
        if (patientIds.isEmpty()) {
            return;
        }
        LocalDate today = LocalDate.ofInstant(now, zone);
        Transactions.run(dataSource, c -> {
            Map<Long, MonthCounts> counts = new TreeMap<>();
            for (long id : patientIds) {
                counts.put(id, new MonthCounts());
            }
            Array ids = c.createArrayOf("int8", counts.keySet().toArray());
            try (PreparedStatement ps = c.prepareStatement(MANY_MONTHS)) {
                ps.setArray(1, ids);
                ps.setDate(2, Date.valueOf(firstDay.withDayOfMonth(1)));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counts.get(rs.getLong(1)).stored(rs.getShort(2), rs.getDate(3).toLocalDate(),
                                (Integer[]) rs.getArray(4).getArray());
                    }
                }
            }
            counts.values().forEach(m -> m.zero(firstDay, today));
            try (PreparedStatement ps = c.prepareStatement(MANY_COUNT_DAYS)) {
                ps.setArray(1, ids);
                ps.setTimestamp(2, Timestamp.from(firstDay.atStartOfDay(zone).toInstant()));
                ps.setTimestamp(3, Timestamp.from(now));
                ps.setString(4, zone.getId());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counts.get(rs.getLong(1)).count(rs.getShort(2), rs.getDate(3).toLocalDate(), rs.getInt(4));
                    }
                }
            }
            try (PreparedStatement put = c.prepareStatement(PUT_MONTH)) {
                for (Map.Entry<Long, MonthCounts> e : counts.entrySet()) {
                    e.getValue().addTo(c, put, e.getKey());
                }
                put.executeBatch();
            }
            return null;
        });
    }
}
