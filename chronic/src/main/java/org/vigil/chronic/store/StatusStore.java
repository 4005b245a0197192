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

    /** One patient's evaluation of one condition for {@link #record(List, Instant)}. */
    public record Evaluation(long patientId, ControlResult result, JsonObject figures) {
    }

    /**
     * Records evaluations in one transaction: the current spell keeps its start when the status is unchanged (its
     * figures are updated), otherwise it ends now and a new spell begins. The patients' locks are taken in ascending
     * id order (so two such transactions cannot deadlock), their current spells read in one query, and the updates,
     * closes and new spells written as JDBC batches. Returns each spell's start (since when), in the order of
     * {@code evaluations}; at most one evaluation per patient and condition.
     */
    public List<Instant> record(List<Evaluation> evaluations, Instant at) throws SQLException {
        if (evaluations.isEmpty()) {
            return List.of();
        }
        Instant now = at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        try {
            return Transactions.run(dataSource, c -> SpellBatch.write(c, evaluations, now));
        } catch (SQLException e) {
            // Two evaluations of a patient without a current spell both opened one: the partial unique index let one
            // in; the other, retried, now finds it.
            if (!"23505".equals(e.getSQLState())) {
                throw e;
            }
            return Transactions.run(dataSource, c -> SpellBatch.write(c, evaluations, now));
        }
    }

    /** The patient's current status spells. */
    public List<GradeSuggestion.Spell> spells(long patientId) throws SQLException {
        List<GradeSuggestion.Spell> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(STATUSES)) {
            ps.setLong(1, patientId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Condition condition = Condition.NAMES.find(rs.getString(1));
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
     * Recounts the patients' readings per metric and day from {@code firstDay} (in {@code zone}) to {@code now}, in
     * one transaction and three statements: late uploads land in past days, so a recount replaces the days rather
     * than adding to them. Rows are locked by patient, metric and month, so two recounts cannot deadlock.
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
