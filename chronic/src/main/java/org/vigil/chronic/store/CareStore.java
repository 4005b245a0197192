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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
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
 * values of her follow-ups. What a sweep reads also comes for many patients in one statement
 * ({@code patient_id = ANY (?)}, or the contract function {@code LATERAL} over {@code unnest(?)}), with the same
 * answer per patient as the single read. Blocking: call from worker threads.
 */
public final class CareStore {

    private static final String ROSTER = """
            SELECT patient_id, patient_name, doctor_id, team_id, organisation_id, valid_from, conditions
              FROM care_roster
             WHERE patient_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)""";
    private static final String SEES = "SELECT doctor_sees_patient(?, ?)";
    private static final String CRITICAL_ALERTS = """
            SELECT count(*) FROM alert_response WHERE patient_id = ? AND severity = 'critical' AND opened_at >= ?""";
    private static final String OPEN_ALERTS = """
            SELECT severity, count(*) FROM alert_response WHERE patient_id = ? AND status <> 'resolved' GROUP BY severity""";
    private static final String MANAGED_PATIENTS = """
            SELECT DISTINCT patient_id FROM care_roster
             WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) AND cardinality(conditions) > 0
               AND patient_id > ? ORDER BY patient_id LIMIT ?""";

    private static final String ROSTERS = """
            SELECT DISTINCT ON (patient_id) patient_id, patient_name, doctor_id, team_id, organisation_id, valid_from,
                   conditions
              FROM care_roster
             WHERE patient_id = ANY (?) AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)
             ORDER BY patient_id, valid_from DESC""";
    /** Each patient's own metrics (a {@code smallint[]} literal) from her own start. */
    private static final String MANY_READINGS = """
            SELECT p.id, r.metric, r.ts, r.value, r.context
              FROM unnest(?::bigint[], ?::text[], ?::timestamptz[]) AS p (id, metrics, since),
                   LATERAL care_readings(p.id, p.metrics::smallint[], p.since, ?) r""";
    private static final String MANY_TOTALS = """
            SELECT p.id, t.readings, t.total
              FROM unnest(?::bigint[]) AS p (id), LATERAL care_reading_totals(p.id, ?::smallint, ?, ?) t""";
    private static final String OFFICE_BP = """
            SELECT DISTINCT ON (patient_id) patient_id, done_on, (measurements->>'systolic_bp')::float8,
                   (measurements->>'diastolic_bp')::float8
              FROM follow_up
             WHERE patient_id = ANY (?) AND measurements->>'systolic_bp' IS NOT NULL
               AND measurements->>'diastolic_bp' IS NOT NULL AND done_on <= ?
             ORDER BY patient_id, done_on DESC, id DESC""";
    private static final String OFFICE_FPG = """
            SELECT DISTINCT ON (patient_id) patient_id, done_on, (measurements->>'fasting_glucose')::float8
              FROM follow_up
             WHERE patient_id = ANY (?) AND measurements->>'fasting_glucose' IS NOT NULL AND done_on <= ?
             ORDER BY patient_id, done_on DESC, id DESC""";

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

    /** The contracts at {@code at} of those of the patients who have one, by patient id: {@link #roster} for many. */
    public Map<Long, Roster> rosters(List<Long> patientIds, Instant at) throws SQLException {
        Map<Long, Roster> out = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ROSTERS)) {
            ps.setArray(1, c.createArrayOf("int8", patientIds.toArray()));
            ps.setTimestamp(2, Timestamp.from(at));
            ps.setTimestamp(3, Timestamp.from(at));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), new Roster(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                            rs.getLong(5), rs.getTimestamp(6).toInstant(), conditions(rs.getArray(7)), null));
                }
            }
        }
        return out;
    }

    /** One patient's part of {@link #readings(List, Instant)}: her readings of these metrics from {@code since} on. */
    public record ReadingsWanted(long patientId, Set<Metric> metrics, Instant since) {
    }

    /**
     * Home readings of [since, until) for many patients in one query, each with her own metrics and start; by
     * patient id, a patient without readings absent.
     */
    public Map<Long, List<Observation>> readings(List<ReadingsWanted> wanted, Instant until) throws SQLException {
        Map<Long, List<Observation>> out = new HashMap<>();
        if (wanted.isEmpty()) {
            return out;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(MANY_READINGS)) {
            ps.setArray(1, c.createArrayOf("int8", wanted.stream().map(ReadingsWanted::patientId).toArray()));
            ps.setArray(2, c.createArrayOf("text", wanted.stream().map(w -> w.metrics().stream()
                    .map(m -> String.valueOf(m.code())).collect(Collectors.joining(",", "{", "}"))).toArray()));
            ps.setArray(3, c.createArrayOf("timestamptz",
                    wanted.stream().map(w -> Timestamp.from(w.since())).toArray()));
            ps.setTimestamp(4, Timestamp.from(until));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new Observation(
                            Metric.byCode(rs.getShort(2)), rs.getTimestamp(3).toInstant(), rs.getDouble(4),
                            MeasurementContext.byCode(rs.getShort(5))));
                }
            }
        }
        return out;
    }

    /** How many readings of the metric each patient has in [since, until), and their sum, by patient id. */
    public Map<Long, ReadingTotals> totals(List<Long> patientIds, Metric metric, Instant since, Instant until)
            throws SQLException {
        Map<Long, ReadingTotals> out = new HashMap<>();
        if (patientIds.isEmpty()) {
            return out;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(MANY_TOTALS)) {
            ps.setArray(1, c.createArrayOf("int8", patientIds.toArray()));
            ps.setShort(2, (short) metric.code());
            ps.setTimestamp(3, Timestamp.from(since));
            ps.setTimestamp(4, Timestamp.from(until));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), new ReadingTotals(rs.getInt(2), rs.getDouble(3)));
                }
            }
        }
        return out;
    }

    /**
     * The newest follow-up on or before {@code day} with an office BP, as an office measurement of BP only, for many
     * patients in one query, by patient id; those without one absent.
     */
    public Map<Long, OfficeMeasurement> officeBp(List<Long> patientIds, LocalDate day) throws SQLException {
        return office(OFFICE_BP, patientIds, day, rs -> new OfficeMeasurement(rs.getDate(2).toLocalDate(),
                rs.getDouble(3), rs.getDouble(4), null));
    }

    /** The newest follow-up on or before {@code day} with a fasting glucose, by patient id; those without one absent. */
    public Map<Long, OfficeMeasurement> officeFastingGlucose(List<Long> patientIds, LocalDate day) throws SQLException {
        return office(OFFICE_FPG, patientIds, day, rs -> new OfficeMeasurement(rs.getDate(2).toLocalDate(), null,
                null, rs.getDouble(3)));
    }

    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private Map<Long, OfficeMeasurement> office(String sql, List<Long> patientIds, LocalDate day,
            Row<OfficeMeasurement> row) throws SQLException {
        Map<Long, OfficeMeasurement> out = new HashMap<>();
        if (patientIds.isEmpty()) {
            return out;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("int8", patientIds.toArray()));
            ps.setDate(2, Date.valueOf(day));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), row.read(rs));
                }
            }
        }
        return out;
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
            Condition c = Condition.NAMES.find(String.valueOf(o));
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }
}
