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
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.vigil.chronic.control.Observation;
import org.vigil.chronic.control.OfficeMeasurement;
import org.vigil.chronic.control.ReadingTotals;
import org.vigil.common.model.Condition;
import org.vigil.common.model.MeasurementContext;
import org.vigil.common.model.Metric;

/**
 * What the chronic module reads of other modules, through their published contracts only: the roster
 * ({@code care_roster}), one patient's readings ({@code care_readings}, {@code care_reading_totals}), her alerts ({@code alert_response}), and
 * access by the registry's {@code doctor_sees_patient}, the same function every other API uses; and the office
 * values of her follow-ups. Blocking: call from worker threads.
 */
public final class CareStore {

    private static final String ROSTER = """
            SELECT patient_id, patient_name, doctor_id, team_id, organisation_id, valid_from, conditions
              FROM care_roster
             WHERE patient_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)""";
    private static final String SEES = "SELECT doctor_sees_patient(?, ?)";
    private static final String READINGS = "SELECT metric, ts, value, context FROM care_readings(?, ?, ?, ?)";
    private static final String TOTALS = "SELECT readings, total FROM care_reading_totals(?, ?, ?, ?)";
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
    private static final String CRITICAL_ALERTS = """
            SELECT count(*) FROM alert_response WHERE patient_id = ? AND severity = 'critical' AND opened_at >= ?""";
    private static final String OPEN_ALERTS = """
            SELECT severity, count(*) FROM alert_response WHERE patient_id = ? AND status <> 'resolved' GROUP BY severity""";
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

    /** Home readings of these metrics in [since, until). */
    public List<Observation> readings(long patientId, Set<Metric> metrics, Instant since, Instant until)
            throws SQLException {
        List<Observation> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(READINGS)) {
            ps.setLong(1, patientId);
            ps.setArray(2, c.createArrayOf("int2", metrics.stream().map(m -> (short) m.code()).toArray()));
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

    /** How many home readings of the metric fell in [since, until), and their sum. */
    public ReadingTotals totals(long patientId, Metric metric, Instant since, Instant until) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(TOTALS)) {
            ps.setLong(1, patientId);
            ps.setShort(2, (short) metric.code());
            ps.setTimestamp(3, Timestamp.from(since));
            ps.setTimestamp(4, Timestamp.from(until));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new ReadingTotals(rs.getInt(1), rs.getDouble(2));
            }
        }
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
