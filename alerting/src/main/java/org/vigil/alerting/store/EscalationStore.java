package org.vigil.alerting.store;

import static org.vigil.alerting.store.AlertChange.SYSTEM;

import io.vertx.core.json.JsonObject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.vigil.alerting.store.AlertChange.Kind;
import org.vigil.common.db.Transactions;

/**
 * The alerts' escalation: reminds and escalates critical alerts nobody acknowledged, and moves active alerts to
 * the doctor responsible now when a patient's contract changes. Each change is recorded with its transition and
 * webhook deliveries in the same transaction. Blocking: call from a worker.
 */
public final class EscalationStore {

    /**
     * Open critical alerts whose last notice is older than the interval and that are not snoozed, with the
     * organisation one tier above the last one they reached (NULL at the top); locked, so two nodes sweeping at
     * once do not remind twice.
     */
    private static final String DUE = """
            SELECT a.id, o.parent_id FROM alert a
              LEFT JOIN registry_organisation o ON o.id = COALESCE(a.escalated_to[cardinality(a.escalated_to)], a.organisation_id)
             WHERE a.status = 'open' AND a.severity = 'critical' AND a.doctor_id IS NOT NULL
               AND COALESCE(a.last_notified_at, a.opened_at) <= ?
               AND (a.snoozed_until IS NULL OR a.snoozed_until <= ?)
             ORDER BY a.id LIMIT ? FOR UPDATE OF a SKIP LOCKED""";
    private static final String REMIND = """
            UPDATE alert SET last_notified_at = ?, updated_at = ?,
                   escalated_to = CASE WHEN ?::bigint IS NULL THEN escalated_to ELSE array_append(escalated_to, ?) END
             WHERE id = ?
            RETURNING """ + " " + AlertRows.COLUMNS;
    /**
     * Moves active alerts to the doctor responsible now (or to nobody, without a contract): one patient's after a
     * contract change, or every patient's ({@code NULL}) when the escalation sweep catches up on a change event it
     * missed. Alerts already with that doctor are left alone. The escalation starts over from her: the
     * organisations the alert reached belonged to the old doctor's tree.
     */
    private static final String REROUTE = """
            UPDATE alert a SET doctor_id = cur.doctor_id, organisation_id = cur.organisation_id, escalated_to = '{}',
                   last_notified_at = ?, updated_at = ?
              FROM (SELECT x.id, c.doctor_id, t.organisation_id
                      FROM alert x
                      LEFT JOIN registry_contract c ON c.patient_id = x.patient_id AND c.valid_from <= clock_timestamp()
                                          AND (c.valid_to IS NULL OR c.valid_to > clock_timestamp())
                      LEFT JOIN registry_team t ON t.id = c.team_id
                     WHERE x.status <> 'resolved' AND (?::bigint IS NULL OR x.patient_id = ?)) cur
             WHERE a.id = cur.id AND a.doctor_id IS DISTINCT FROM cur.doctor_id
            RETURNING\s""" + AlertRows.qualified("a");

    private final DataSource dataSource;

    public EscalationStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Reminds and escalates open critical alerts that nobody acknowledged within {@code interval} of their last
     * notice: each goes one tier further up (the township above the patient's clinic, then the county), as far as
     * the tree goes, and is re-sent to the responsible doctor. Snoozed alerts wait for their snooze to end.
     */
    public List<AlertChange> escalateDue(Instant now, Duration interval, int limit) throws SQLException {
        return Transactions.run(dataSource, c -> {
            List<AlertChange> changes = new ArrayList<>();
            Timestamp at = Timestamp.from(now);
            // Each due alert with the organisation above the one it last reached (the patient's clinic at first).
            Map<Long, Long> due = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(DUE)) {
                ps.setTimestamp(1, Timestamp.from(now.minus(interval)));
                ps.setTimestamp(2, at);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long parent = rs.getLong(2);
                        Long up = rs.wasNull() ? null : parent;
                        due.put(rs.getLong(1), up);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(REMIND)) {
                for (Map.Entry<Long, Long> d : due.entrySet()) {
                    long id = d.getKey();
                    Long up = d.getValue();
                    Kind kind = up == null ? Kind.REMINDED : Kind.TIER_ESCALATED;
                    ps.setTimestamp(1, at);
                    ps.setTimestamp(2, at);
                    ps.setObject(3, up, Types.BIGINT);
                    ps.setObject(4, up, Types.BIGINT);
                    ps.setLong(5, id);
                    JsonObject alert = AlertRows.returned(ps);
                    AlertRows.record(c, id, at, SYSTEM, kind, "open", "open", up == null
                            ? "unacknowledged: reminded" : "unacknowledged: escalated to organisation " + up, alert);
                    changes.add(new AlertChange(kind, alert, null));
                }
            }
            return changes;
        });
    }

    /**
     * After a contract change: the patient's active alerts move to the doctor responsible now, each with a
     * transition and its webhook deliveries. Alerts already with her are left alone, so a repeat changes nothing.
     */
    public List<AlertChange> reroute(long patientId, Instant now) throws SQLException {
        return rerouteWhere(patientId, now);
    }

    /** {@link #reroute} for every patient whose active alerts are not with the doctor responsible now. */
    public List<AlertChange> rerouteStale(Instant now) throws SQLException {
        return rerouteWhere(null, now);
    }

    private List<AlertChange> rerouteWhere(Long patientId, Instant now) throws SQLException {
        return Transactions.run(dataSource, c -> {
            Timestamp at = Timestamp.from(now);
            List<AlertChange> changes = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(REROUTE)) {
                ps.setTimestamp(1, at);
                ps.setTimestamp(2, at);
                ps.setObject(3, patientId, Types.BIGINT);
                ps.setObject(4, patientId, Types.BIGINT);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        changes.add(new AlertChange(Kind.REROUTED, AlertRows.read(rs), null));
                    }
                }
            }
            for (AlertChange change : changes) {
                JsonObject alert = change.alert();
                String status = alert.getString("status");
                Long doctor = alert.getLong("doctorId");
                AlertRows.record(c, alert.getLong("id"), at, SYSTEM, Kind.REROUTED, status, status,
                        doctor == null ? "contract ended: no doctor responsible" : "contract changed: now doctor " + doctor,
                        alert);
            }
            return changes;
        });
    }
}
