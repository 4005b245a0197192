package org.vigil.alerting.store;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.vigil.alerting.engine.EpisodeHit;
import org.vigil.common.http.ApiException;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/**
 * Alerts in PostgreSQL. The partial unique index {@code alert_active_episode} guarantees one active alert
 * per patient and rule; {@link #record} opens it or folds repeats into it. Blocking: call from a worker.
 */
public final class AlertStore {

    /** What recording a hit did to the patient's alert. */
    public enum ChangeKind {
        /** A new episode: tell the doctor. */
        OPENED,
        /** Worse than before (warning to critical): tell the doctor again. */
        ESCALATED,
        /** A repeat at the same or a lower severity: counted, not notified. */
        REPEATED
    }

    public record Change(ChangeKind kind, JsonObject alert) {
    }

    private static final String COLUMNS = """
            id, patient_id, doctor_id, rule, severity, status, metric, value, measured_at, opened_at,
            occurrences, last_value, last_measured_at, updated_at, acknowledged_at, acknowledged_by""";
    private static final String SELECT_ACTIVE = """
            SELECT id, severity FROM alert WHERE patient_id = ? AND rule = ? AND status <> 'resolved' FOR UPDATE""";
    private static final String OPEN = """
            INSERT INTO alert (patient_id, doctor_id, rule, severity, status, metric, value, measured_at, opened_at,
                               occurrences, last_value, last_measured_at, updated_at)
            SELECT p.id, p.doctor_id, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?
              FROM patient p WHERE p.id = ?
            ON CONFLICT (patient_id, rule) WHERE status <> 'resolved' DO NOTHING
            RETURNING """ + " " + COLUMNS;
    private static final String REPEAT = """
            UPDATE alert SET occurrences = occurrences + ?, updated_at = ?,
                   last_value = CASE WHEN ? >= last_measured_at THEN ? ELSE last_value END,
                   last_measured_at = GREATEST(last_measured_at, ?)
             WHERE id = ?
            RETURNING """ + " " + COLUMNS;
    private static final String ESCALATE = """
            UPDATE alert SET occurrences = occurrences + ?, updated_at = ?, severity = ?, status = 'open',
                   metric = ?, value = ?, measured_at = ?,
                   last_value = CASE WHEN ? >= last_measured_at THEN ? ELSE last_value END,
                   last_measured_at = GREATEST(last_measured_at, ?),
                   acknowledged_at = NULL, acknowledged_by = NULL
             WHERE id = ?
            RETURNING """ + " " + COLUMNS;
    private static final String LIST = "SELECT " + COLUMNS + """
             FROM alert
            WHERE (?::bigint IS NULL OR doctor_id = ?) AND (?::text IS NULL OR status = ?)
              AND (?::bigint IS NULL OR patient_id = ?) AND id < ?
            ORDER BY id DESC LIMIT ?""";
    private static final String DOCTOR_EXISTS = "SELECT 1 FROM doctor WHERE id = ?";
    private static final String SELECT_ONE = "SELECT " + COLUMNS + " FROM alert WHERE id = ?";
    private static final String ACKNOWLEDGE = """
            UPDATE alert SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, updated_at = ?
             WHERE id = ? AND status = 'open'
            RETURNING """ + " " + COLUMNS;

    private final DataSource dataSource;

    public AlertStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Applies the hits in one transaction and says what happened to each patient's alert. */
    public List<Change> record(List<EpisodeHit> hits, Instant now) throws SQLException {
        List<Change> changes = new ArrayList<>(hits.size());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (EpisodeHit hit : hits) {
                    Change change = record(c, hit, now);
                    if (change != null) {
                        changes.add(change);
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return changes;
    }

    private Change record(Connection c, EpisodeHit hit, Instant now) throws SQLException {
        Timestamp nowTs = Timestamp.from(now);
        Timestamp latestAt = new Timestamp(hit.latest().measuredAt());
        long activeId;
        Severity activeSeverity;
        try (PreparedStatement ps = c.prepareStatement(SELECT_ACTIVE)) {
            ps.setLong(1, hit.patientId());
            ps.setString(2, hit.ruleId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return open(c, hit, nowTs, latestAt);
                }
                activeId = rs.getLong(1);
                activeSeverity = Severity.fromWire(rs.getString(2));
            }
        }
        boolean escalated = hit.severity().worseThan(activeSeverity);
        try (PreparedStatement ps = c.prepareStatement(escalated ? ESCALATE : REPEAT)) {
            int i = 1;
            ps.setInt(i++, hit.count());
            ps.setTimestamp(i++, nowTs);
            if (escalated) {
                ps.setString(i++, hit.severity().wireName());
                ps.setShort(i++, (short) hit.worst().metric().code());
                ps.setDouble(i++, hit.worst().value());
                ps.setTimestamp(i++, new Timestamp(hit.worst().measuredAt()));
            }
            ps.setTimestamp(i++, latestAt);
            ps.setDouble(i++, hit.latest().value());
            ps.setTimestamp(i++, latestAt);
            ps.setLong(i, activeId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Change(escalated ? ChangeKind.ESCALATED : ChangeKind.REPEATED, alert(rs));
            }
        }
    }

    private Change open(Connection c, EpisodeHit hit, Timestamp now, Timestamp latestAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(OPEN)) {
            ps.setString(1, hit.ruleId());
            ps.setString(2, hit.severity().wireName());
            ps.setShort(3, (short) hit.worst().metric().code());
            ps.setDouble(4, hit.worst().value());
            ps.setTimestamp(5, new Timestamp(hit.worst().measuredAt()));
            ps.setTimestamp(6, now);
            ps.setInt(7, hit.count());
            ps.setDouble(8, hit.latest().value());
            ps.setTimestamp(9, latestAt);
            ps.setTimestamp(10, now);
            ps.setLong(11, hit.patientId());
            try (ResultSet rs = ps.executeQuery()) {
                // No row: the patient no longer exists. (A concurrent open cannot happen while one node
                // evaluates each patient, and SELECT ... FOR UPDATE serialises the rest.)
                return rs.next() ? new Change(ChangeKind.OPENED, alert(rs)) : null;
            }
        }
    }

    /** Alerts newest first, filtered by doctor, status and patient (each optional), before the given id. */
    public List<JsonObject> list(Long doctorId, String status, Long patientId, Long beforeId, int limit)
            throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(LIST)) {
            ps.setObject(1, doctorId);
            ps.setObject(2, doctorId);
            ps.setString(3, status);
            ps.setString(4, status);
            ps.setObject(5, patientId);
            ps.setObject(6, patientId);
            ps.setLong(7, beforeId == null ? Long.MAX_VALUE : beforeId);
            ps.setInt(8, limit);
            List<JsonObject> alerts = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    alerts.add(alert(rs));
                }
            }
            return alerts;
        }
    }

    public boolean doctorExists(long doctorId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(DOCTOR_EXISTS)) {
            ps.setLong(1, doctorId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    public Optional<JsonObject> alert(long id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT_ONE)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(alert(rs)) : Optional.empty();
            }
        }
    }

    /**
     * Acknowledges an open alert. Acknowledging an acknowledged alert returns it unchanged; a resolved
     * one is a conflict; an unknown id is not found.
     *
     * @return the alert and whether this call changed it
     */
    public Change acknowledge(long id, String by, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ACKNOWLEDGE)) {
            Timestamp ts = Timestamp.from(now);
            ps.setTimestamp(1, ts);
            ps.setString(2, by);
            ps.setTimestamp(3, ts);
            ps.setLong(4, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return new Change(ChangeKind.REPEATED, alert(rs));
                }
            }
        }
        JsonObject current = alert(id).orElseThrow(() -> ApiException.notFound("alert " + id));
        if ("resolved".equals(current.getString("status"))) {
            throw ApiException.conflict("status", "alert " + id + " is already resolved");
        }
        return new Change(null, current);
    }

    private static JsonObject alert(ResultSet rs) throws SQLException {
        Metric metric = Metric.byCode(rs.getInt("metric"));
        JsonObject json = new JsonObject()
                .put("id", rs.getLong("id"))
                .put("patientId", rs.getLong("patient_id"))
                .put("doctorId", rs.getLong("doctor_id"))
                .put("rule", rs.getString("rule"))
                .put("severity", rs.getString("severity"))
                .put("status", rs.getString("status"))
                .put("metric", metric.wireName())
                .put("value", rs.getDouble("value"))
                .put("unit", metric.ucum())
                .put("measuredAt", rs.getTimestamp("measured_at").toInstant().toString())
                .put("openedAt", rs.getTimestamp("opened_at").toInstant().toString())
                .put("occurrences", rs.getInt("occurrences"))
                .put("lastValue", rs.getDouble("last_value"))
                .put("lastMeasuredAt", rs.getTimestamp("last_measured_at").toInstant().toString())
                .put("updatedAt", rs.getTimestamp("updated_at").toInstant().toString());
        Timestamp ackAt = rs.getTimestamp("acknowledged_at");
        if (ackAt != null) {
            json.put("acknowledgedAt", ackAt.toInstant().toString()).put("acknowledgedBy", rs.getString("acknowledged_by"));
        }
        return json;
    }
}
