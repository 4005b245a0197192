package org.vigil.chronic.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.vigil.chronic.control.ControlStatus;
import org.vigil.chronic.followup.FollowUpType;
import org.vigil.chronic.indicator.AlertFacts;
import org.vigil.chronic.indicator.PatientFacts;
import org.vigil.common.model.Condition;
import org.vigil.common.model.Metric;

/**
 * Gathers the facts of the panel indicators for a doctor, a team or an organisation's subtree over a period, from
 * the chronic module's maintained tables ({@code follow_up}, {@code control_status}, {@code measurement_month}) and
 * the read contracts ({@code care_roster}, {@code care_plan_current}, {@code alert_response}); never from raw
 * readings. A patient belongs to the subject whose contract holds her at the end of the period (a patient who
 * changed doctor counts for the new one only). Blocking: call from worker threads.
 */
public final class IndicatorStore {

    /** Whose panel. */
    public enum Subject {
        DOCTOR("r.doctor_id = ?"),
        TEAM("r.team_id = ?"),
        ORGANISATION("r.organisation_path LIKE (SELECT o.path FROM care_organisation o WHERE o.id = ?) || '%'");

        private final String predicate;

        Subject(String predicate) {
            this.predicate = predicate;
        }
    }

    /** What the store found: the facts and each patient's name for drill-down lists. */
    public record Facts(List<PatientFacts> patients, List<AlertFacts> alerts, Map<Long, String> names) {
    }

    /**
     * The patients in scope, made once per request into a temporary table (dropped with the transaction) that the
     * five queries join: a contract with the subject at {@code asOf}, at least one condition, and (for a doctor asking)
     * visible to her by the registry's {@code visible_patients}. Parameters: asOf, asOf, subject id, scope, scope.
     */
    private static String scope(Subject subject) {
        return """
                CREATE TEMP TABLE indicator_scope ON COMMIT DROP AS
                SELECT r.patient_id, r.patient_name, r.conditions FROM care_roster r
                 WHERE r.valid_from <= ? AND (r.valid_to IS NULL OR r.valid_to > ?)
                   AND cardinality(r.conditions) > 0 AND %s
                   AND (?::bigint IS NULL OR r.patient_id IN (SELECT patient_id FROM visible_patients(?)))
                """.formatted(subject.predicate);
    }

    private static final String PATIENTS = """
            SELECT s.patient_id, s.patient_name, s.conditions, p.plan::text, f.first_from
              FROM indicator_scope s
              LEFT JOIN care_plan_current p ON p.patient_id = s.patient_id
              LEFT JOIN (SELECT r.patient_id, min(r.valid_from) AS first_from
                           FROM care_roster r JOIN indicator_scope x ON x.patient_id = r.patient_id
                          GROUP BY r.patient_id) f ON f.patient_id = s.patient_id""";
    private static final String FOLLOW_UPS = """
            SELECT f.patient_id, c.condition, count(*)
              FROM follow_up f JOIN indicator_scope s ON s.patient_id = f.patient_id
              CROSS JOIN LATERAL unnest(f.conditions) AS c(condition)
             WHERE f.done_on >= ? AND f.done_on <= ? AND f.type = ANY (?)
             GROUP BY 1, 2""";
    private static final String STATUS_AT_END = """
            SELECT cs.patient_id, cs.condition, cs.status
              FROM control_status cs JOIN indicator_scope s ON s.patient_id = cs.patient_id
             WHERE cs.since_at <= ? AND (cs.until_at IS NULL OR cs.until_at > ?)""";
    /**
     * The days of each month inside [from, to]: a month wholly inside by its total; in from's month the days from
     * from's day, in to's month those up to to's day.
     */
    private static final String RECEIVED = """
            SELECT m.patient_id, m.metric,
                   sum(CASE WHEN m.month >= ?::date AND m.month < date_trunc('month', ?::date) THEN m.total
                            ELSE (SELECT coalesce(sum(x), 0) FROM unnest(m.days[
                                CASE WHEN m.month < ?::date THEN extract(day FROM ?::date)::int ELSE 1 END :
                                CASE WHEN m.month = date_trunc('month', ?::date)::date
                                     THEN extract(day FROM ?::date)::int ELSE 31 END]) AS x) END)
              FROM measurement_month m JOIN indicator_scope s ON s.patient_id = m.patient_id
             WHERE m.month >= date_trunc('month', ?::date)::date AND m.month <= ?::date
             GROUP BY 1, 2""";
    private static final String ALERTS = """
            SELECT a.id, a.patient_id, a.severity, a.opened_at, a.acknowledged_at, a.escalated, a.disposition
              FROM alert_response a JOIN indicator_scope s ON s.patient_id = a.patient_id
             WHERE a.opened_at >= ? AND a.opened_at < ?""";

    private final DataSource dataSource;

    public IndicatorStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * @param from           first day of the period, in {@code zone}
     * @param to             last day of the period (inclusive)
     * @param now            the present: a period that has not ended is judged now
     * @param scope          the asking doctor, or {@code null} for admin
     * @param standardTypes  the follow-up types that count toward 规范管理
     */
    public Facts gather(Subject subject, long subjectId, LocalDate from, LocalDate to, Instant now, ZoneId zone,
            Long scope, Set<FollowUpType> standardTypes) throws SQLException {
        Instant start = from.atStartOfDay(zone).toInstant();
        Instant end = to.plusDays(1).atStartOfDay(zone).toInstant();
        // The moment "at the end of the period" means: its last instant, or now for a period still running.
        Instant asOf = (end.isAfter(now) ? now : end).minusMillis(1);
        Map<Long, String> names = new HashMap<>();
        Map<Long, Row> rows = new java.util.TreeMap<>();
        List<AlertFacts> alerts = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            // One snapshot for all five queries, so the figures agree with one another.
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                try (PreparedStatement ps = c.prepareStatement(scope(subject))) {
                    bindScope(ps, asOf, subjectId, scope);
                    ps.executeUpdate();
                }
                try (Statement st = c.createStatement()) {
                    // Without statistics the planner takes the table for tiny and joins it by nested loops.
                    st.execute("ANALYZE indicator_scope");
                }
                try (PreparedStatement ps = c.prepareStatement(PATIENTS)) {
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            long id = rs.getLong(1);
                            names.put(id, rs.getString(2));
                            Row row = new Row(CareStore.conditions(rs.getArray(3)));
                            Instant managedFrom = rs.getTimestamp(5).toInstant();
                            row.expectedByMetric = expected(rs.getString(4), managedFrom.isAfter(start) ? managedFrom : start,
                                    end.isAfter(now) ? now : end);
                            rows.put(id, row);
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(FOLLOW_UPS)) {
                    int i = 1;
                    ps.setDate(i++, Date.valueOf(from));
                    ps.setDate(i++, Date.valueOf(to));
                    ps.setArray(i, c.createArrayOf("text", standardTypes.stream().map(FollowUpType::wireName).toArray()));
                    byPatientCondition(ps, rows, (row, condition, rs) -> row.followUps.put(condition, rs.getInt(3)));
                }
                try (PreparedStatement ps = c.prepareStatement(STATUS_AT_END)) {
                    int i = 1;
                    ps.setTimestamp(i++, Timestamp.from(asOf));
                    ps.setTimestamp(i, Timestamp.from(asOf));
                    byPatientCondition(ps, rows,
                            (row, condition, rs) -> row.status.put(condition, ControlStatus.fromWire(rs.getString(3))));
                }
                try (PreparedStatement ps = c.prepareStatement(RECEIVED)) {
                    int i = 1;
                    for (LocalDate d : new LocalDate[] {from, to, from, from, to, to, from, to}) {
                        ps.setDate(i++, Date.valueOf(d));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Row row = rows.get(rs.getLong(1));
                            if (row != null) {
                                row.receivedByMetric.put(Metric.byCode(rs.getShort(2)), rs.getLong(3));
                            }
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(ALERTS)) {
                    int i = 1;
                    ps.setTimestamp(i++, Timestamp.from(start));
                    ps.setTimestamp(i, Timestamp.from(end));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Timestamp ack = rs.getTimestamp(5);
                            alerts.add(new AlertFacts(rs.getLong(1), rs.getLong(2), rs.getString(3),
                                    rs.getTimestamp(4).toInstant(), ack == null ? null : ack.toInstant(),
                                    rs.getBoolean(6), rs.getString(7)));
                        }
                    }
                }
            } finally {
                c.rollback();
            }
        }
        List<PatientFacts> patients = new ArrayList<>();
        for (Map.Entry<Long, Row> e : rows.entrySet()) {
            Row r = e.getValue();
            long expected = 0;
            long received = 0;
            for (Map.Entry<Metric, Long> x : r.expectedByMetric.entrySet()) {
                expected += x.getValue();
                received += Math.min(x.getValue(), r.receivedByMetric.getOrDefault(x.getKey(), 0L));
            }
            patients.add(new PatientFacts(e.getKey(), r.conditions, r.followUps, r.status, expected, received));
        }
        return new Facts(patients, alerts, names);
    }

    private static int bindScope(PreparedStatement ps, Instant asOf, long subjectId, Long scope) throws SQLException {
        ps.setTimestamp(1, Timestamp.from(asOf));
        ps.setTimestamp(2, Timestamp.from(asOf));
        ps.setLong(3, subjectId);
        ps.setObject(4, scope, java.sql.Types.BIGINT);
        ps.setObject(5, scope, java.sql.Types.BIGINT);
        return 6;
    }

    /**
     * Measurements a care plan expects in [from, to): per entry, the whole intervals of {@code every} that fit.
     * The current plan is used for the whole period (plan history is not consulted).
     */
    static Map<Metric, Long> expected(String planText, Instant from, Instant to) {
        Map<Metric, Long> out = new EnumMap<>(Metric.class);
        if (planText == null || !to.isAfter(from)) {
            return out;
        }
        JsonObject plan = new JsonObject(planText);
        if (!(plan.getValue("expected") instanceof JsonArray list)) {
            return out;
        }
        Duration span = Duration.between(from, to);
        for (Object o : list) {
            if (!(o instanceof JsonObject e) || !(e.getValue("metric") instanceof String name)
                    || Metric.byName(name) == null || !(e.getValue("every") instanceof String every)) {
                continue;
            }
            try {
                Duration d = Duration.parse(every);
                if (d.isPositive()) {
                    out.merge(Metric.byName(name), span.toMillis() / d.toMillis(), Long::sum);
                }
            } catch (DateTimeParseException ignored) {
                // The registry validated the plan when it was stored; an entry unreadable now expects nothing.
            }
        }
        return out;
    }

    /** What to take from one result row into a patient's row, for one of her conditions. */
    @FunctionalInterface
    private interface PerCondition {
        void take(Row row, Condition condition, ResultSet rs) throws SQLException;
    }

    /**
     * Runs a query whose rows start with (patient id, condition) and hands each to {@code take} with the patient's
     * row; patients outside {@code rows} and conditions this release does not know are skipped.
     */
    private static void byPatientCondition(PreparedStatement ps, Map<Long, Row> rows, PerCondition take)
            throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Condition condition = Condition.NAMES.find(rs.getString(2));
                Row row = rows.get(rs.getLong(1));
                if (row != null && condition != null) {
                    take.take(row, condition, rs);
                }
            }
        }
    }

    private static final class Row {
        final Set<Condition> conditions;
        final Map<Condition, Integer> followUps = new EnumMap<>(Condition.class);
        final Map<Condition, ControlStatus> status = new EnumMap<>(Condition.class);
        Map<Metric, Long> expectedByMetric = Map.of();
        final Map<Metric, Long> receivedByMetric = new EnumMap<>(Metric.class);

        Row(Set<Condition> conditions) {
            this.conditions = conditions;
        }
    }
}
