package org.vigil.alerting.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.common.http.ApiException;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/**
 * Alerts in PostgreSQL. The partial unique index {@code alert_active_episode} guarantees one active alert per
 * patient and rule; {@link #apply} turns the clinical engine's signals into alert rows: it opens, updates,
 * escalates, marks back in range ({@code back_in_range_at}: the alert stays active for a doctor) and
 * automatically resolves them (only what the engine's rules let clear themselves). An alert leads with the
 * worst observation of its episode ({@code value}, {@code measured_at}, {@code detail}); the latest is
 * {@code last_value}. Every change of status (opened, escalated, acknowledged,
 * resolved) is appended to {@code alert_transition} with who and when, and enqueued for the organisations'
 * webhooks ({@link WebhookOutbox}), in the same transaction. Blocking: call from a worker.
 */
public final class AlertStore {

    /** Who the engine's own transitions are recorded as. */
    public static final String SYSTEM = "system";
    /** The disposition of an alert the engine resolved because its condition cleared. */
    public static final String AUTO_CLEARED = "auto_cleared";

    /** What applying a signal, or a doctor's action, did to the patient's alert. */
    public enum ChangeKind {
        /** A new episode: tell the doctor. */
        OPENED,
        /**
         * Worse than before (warning to critical), or a condition that needs a doctor came back after the alert
         * was marked back in range: tell the doctor again.
         */
        ESCALATED,
        /** Stored without telling anyone: a repeat, or an alert made active while flapping. */
        UPDATED,
        /** A doctor acknowledged it. */
        ACKNOWLEDGED,
        /** Resolved: automatically, or by a doctor with a disposition. */
        RESOLVED,
        /** A doctor put reminders and escalation off until a time, with a reason. */
        SNOOZED,
        /** Still unacknowledged after the escalation interval: told the responsible doctor again. */
        REMINDED,
        /** Still unacknowledged: sent one tier up as well (township, then county), and reminded. */
        TIER_ESCALATED,
        /** The patient's contract changed or ended: the active alert now belongs to the doctor responsible. */
        REROUTED;

        /** The {@code change} of the {@code vigil.alerts.changed} event and the transition record. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @param kind     what happened; {@code null} when a doctor's action changed nothing (acknowledging twice)
     * @param alert    the alert as it is now
     * @param signal   the signal that caused it, or {@code null} for a doctor's action
     */
    public record Change(ChangeKind kind, JsonObject alert, AlertSignal signal) {
    }

    private static final String COLUMNS = """
            id, patient_id, doctor_id, organisation_id, rule, severity, status, metric, value, measured_at, opened_at,
            occurrences, last_value, last_measured_at, updated_at, acknowledged_at, acknowledged_by,
            detail, worst_value, late, resolved_at, resolved_by, disposition, last_notified_at, escalated_to,
            snoozed_until, snoozed_by, snooze_reason, back_in_range_at""";
    private static final String SELECT_ACTIVE = """
            SELECT id, severity, status, metric, value FROM alert
             WHERE patient_id = ? AND rule = ? AND status <> 'resolved' FOR UPDATE""";
    private static final String OPEN = """
            INSERT INTO alert (patient_id, doctor_id, organisation_id, rule, severity, status, metric, value,
                               measured_at, opened_at, occurrences, last_value, last_measured_at, updated_at, detail,
                               worst_value, late)
            SELECT p.id, c.doctor_id, t.organisation_id, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
              FROM patient p
              -- Routed to whoever is responsible when the alert opens (the contract history keeps the rest).
              LEFT JOIN contract c ON c.patient_id = p.id AND c.valid_from <= now()
                                  AND (c.valid_to IS NULL OR c.valid_to > now())
              LEFT JOIN team t ON t.id = c.team_id
             WHERE p.id = ?
            ON CONFLICT (patient_id, rule) WHERE status <> 'resolved' DO NOTHING
            RETURNING """ + " " + COLUMNS;
    private static final String UPDATE = """
            UPDATE alert SET occurrences = GREATEST(occurrences, ?), updated_at = ?,
                   last_value = CASE WHEN ? >= last_measured_at THEN ? ELSE last_value END,
                   last_measured_at = GREATEST(last_measured_at, ?),
                   back_in_range_at = CASE WHEN ? THEN back_in_range_at END
             WHERE id = ?
            RETURNING """ + " " + COLUMNS;
    /** What the alert leads with: its worst observation (see {@link AlertSignal.Headline}). */
    private static final String HEADLINE = """
            UPDATE alert SET value = ?, measured_at = ?, detail = ?, worst_value = ? WHERE id = ?""";
    /**
     * The condition came back after the alert was marked back in range: told again, like a worsening (reopened
     * if acknowledged, a snooze ended, reminders counted from now), its headline kept unless this is worse.
     */
    private static final String RENOTIFY = """
            UPDATE alert SET occurrences = GREATEST(occurrences, ?), updated_at = ?, last_notified_at = ?,
                   snoozed_until = NULL, status = 'open', late = ?, acknowledged_at = NULL, acknowledged_by = NULL,
                   back_in_range_at = NULL, last_value = CASE WHEN ? >= last_measured_at THEN ? ELSE last_value END,
                   last_measured_at = GREATEST(last_measured_at, ?)
             WHERE id = ?
            RETURNING """ + " " + COLUMNS;
    /** Back in range, but the alert waits for a doctor: marked, still active. */
    private static final String BACK_IN_RANGE = """
            UPDATE alert SET back_in_range_at = ?, updated_at = ?, last_measured_at = GREATEST(last_measured_at, ?)
             WHERE id = ?
            RETURNING """ + " " + COLUMNS;
    private static final String ESCALATE = """
            UPDATE alert SET occurrences = GREATEST(occurrences, ?), updated_at = ?, last_notified_at = ?,
                   snoozed_until = NULL, detail = ?, worst_value = ?, severity = ?, status = 'open', metric = ?, value = ?, measured_at = ?, late = ?,
                   last_value = CASE WHEN ? >= last_measured_at THEN ? ELSE last_value END,
                   last_measured_at = GREATEST(last_measured_at, ?),
                   acknowledged_at = NULL, acknowledged_by = NULL, back_in_range_at = CASE WHEN ? THEN back_in_range_at END
             WHERE id = ?
            RETURNING """ + " " + COLUMNS;
    private static final String AUTO_RESOLVE = """
            UPDATE alert SET status = 'resolved', resolved_at = ?, resolved_by = ?, disposition = ?, updated_at = ?,
                   back_in_range_at = COALESCE(back_in_range_at, ?), last_measured_at = GREATEST(last_measured_at, ?)
             WHERE id = ?
            RETURNING """ + " " + COLUMNS;
    private static final String RESOLVE = """
            UPDATE alert SET status = 'resolved', resolved_at = ?, resolved_by = ?, disposition = ?, updated_at = ?
             WHERE id = ? AND status <> 'resolved'
            RETURNING """ + " " + COLUMNS;
    private static final String TRANSITION = """
            INSERT INTO alert_transition (alert_id, at, actor, change, from_status, to_status, note)
            VALUES (?, ?, ?, ?, ?, ?, ?)""";
    private static final String TRANSITIONS = """
            SELECT at, actor, change, from_status, to_status, note FROM alert_transition
             WHERE alert_id = ? ORDER BY id""";
    private static final String LIST = "SELECT " + COLUMNS + """
             FROM alert
            WHERE (?::bigint IS NULL OR doctor_id = ?) AND (?::text IS NULL OR status = ?)
              AND (?::bigint IS NULL OR patient_id = ?) AND id < ?
              AND (?::bigint IS NULL OR doctor_id = ? OR patient_id IN (SELECT patient_id FROM visible_patients(?)))
            ORDER BY id DESC LIMIT ?""";
    /**
     * What a doctor may do with an alert: see it when it was routed to her or its patient is in her care now; act
     * on it (acknowledge, snooze, resolve) only in the second case, so a doctor the patient has left does not
     * silence an alert her successor should hear of.
     */
    private static final String ACCESS = """
            SELECT doctor_sees_patient(?, patient_id), doctor_id IS NOT DISTINCT FROM ? FROM alert WHERE id = ?""";    private static final String DOCTOR_ORGANISATION = "SELECT organisation_id FROM doctor WHERE id = ?";
    /**
     * Open critical alerts whose last notice is older than the interval and that are not snoozed; locked, so
     * two nodes sweeping at once do not remind twice.
     */
    /** Due alerts with the organisation one tier above the last one they reached (NULL at the top). */
    private static final String DUE = """
            SELECT a.id, o.parent_id FROM alert a
              LEFT JOIN organisation o ON o.id = COALESCE(a.escalated_to[cardinality(a.escalated_to)], a.organisation_id)
             WHERE a.status = 'open' AND a.severity = 'critical' AND a.doctor_id IS NOT NULL
               AND COALESCE(a.last_notified_at, a.opened_at) <= ?
               AND (a.snoozed_until IS NULL OR a.snoozed_until <= ?)
             ORDER BY a.id LIMIT ? FOR UPDATE OF a SKIP LOCKED""";
    private static final String REMIND = """
            UPDATE alert SET last_notified_at = ?, updated_at = ?,
                   escalated_to = CASE WHEN ?::bigint IS NULL THEN escalated_to ELSE array_append(escalated_to, ?) END
             WHERE id = ?
            RETURNING """ + " " + COLUMNS;
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
                      LEFT JOIN contract c ON c.patient_id = x.patient_id AND c.valid_from <= clock_timestamp()
                                          AND (c.valid_to IS NULL OR c.valid_to > clock_timestamp())
                      LEFT JOIN team t ON t.id = c.team_id
                     WHERE x.status <> 'resolved' AND (?::bigint IS NULL OR x.patient_id = ?)) cur
             WHERE a.id = cur.id AND a.doctor_id IS DISTINCT FROM cur.doctor_id
            RETURNING\s""" + qualified("a");
    private static final String SNOOZE = """
            UPDATE alert SET snoozed_until = ?, snoozed_by = ?, snooze_reason = ?, updated_at = ?
             WHERE id = ? AND status <> 'resolved'
            RETURNING """ + " " + COLUMNS;
    private static final String SELECT_ONE = "SELECT " + COLUMNS + " FROM alert WHERE id = ?";
    private static final String ACKNOWLEDGE = """
            UPDATE alert SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, updated_at = ?
             WHERE id = ? AND status = 'open'
            RETURNING """ + " " + COLUMNS;

    /** The alert columns qualified by a table alias, for statements that join other tables. */
    private static String qualified(String alias) {
        return java.util.Arrays.stream(COLUMNS.split(","))
                .map(c -> alias + "." + c.strip())
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private final DataSource dataSource;

    public AlertStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Applies the engine's signals in order, in one transaction, and says what happened to each alert
     * (signals that changed nothing, such as a clear with no active alert, are left out).
     */
    public List<Change> apply(List<AlertSignal> signals, Instant now) throws SQLException {
        return inTransaction(c -> {
            List<Change> changes = new ArrayList<>(signals.size());
            for (AlertSignal signal : signals) {
                Change change = apply(c, signal, Timestamp.from(now));
                if (change != null) {
                    changes.add(change);
                }
            }
            return changes;
        });
    }

    private Change apply(Connection c, AlertSignal s, Timestamp now) throws SQLException {
        long activeId;
        Severity activeSeverity;
        String activeStatus;
        Metric headlineMetric;
        double headlineValue;
        try (PreparedStatement ps = c.prepareStatement(SELECT_ACTIVE)) {
            ps.setLong(1, s.patientId());
            ps.setString(2, s.ruleId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    if (s.kind() == AlertSignal.Kind.CLEAR || s.kind() == AlertSignal.Kind.BACK_IN_RANGE) {
                        return null;
                    }
                    // UPDATE and FLAP_SUPPRESSED with no active alert make one active without telling anyone.
                    return open(c, s, now, s.kind().notifies() ? ChangeKind.OPENED : ChangeKind.UPDATED);
                }
                activeId = rs.getLong(1);
                activeSeverity = Severity.fromWire(rs.getString(2));
                activeStatus = rs.getString(3);
                headlineMetric = Metric.byCode(rs.getInt(4));
                headlineValue = rs.getDouble(5);
            }
        }
        if (s.severity().worseThan(activeSeverity) && s.kind() != AlertSignal.Kind.CLEAR
                && s.kind() != AlertSignal.Kind.BACK_IN_RANGE) {
            return escalate(c, s, now, activeId, activeStatus);
        }
        // A worse observation than the one the alert leads with becomes its headline; the latest never does.
        AlertSignal.Headline headline = s.headline();
        if (headline != null && headline.worseThan(headlineMetric, headlineValue)) {
            try (PreparedStatement ps = c.prepareStatement(HEADLINE)) {
                ps.setDouble(1, headline.value());
                ps.setTimestamp(2, new Timestamp(headline.measuredAt()));
                ps.setString(3, headline.detail());
                ps.setDouble(4, headline.value());
                ps.setLong(5, activeId);
                ps.executeUpdate();
            }
        }
        // The engine clears only severities its rules let clear themselves; a clear that reaches an alert more
        // severe than the signal knows (a signal lost on the way) only marks it: it still needs a doctor.
        if (s.kind() == AlertSignal.Kind.CLEAR && !activeSeverity.worseThan(s.severity())) {
            return autoResolve(c, s, now, activeId, activeStatus);
        }
        if (s.kind() == AlertSignal.Kind.CLEAR || s.kind() == AlertSignal.Kind.BACK_IN_RANGE) {
            try (PreparedStatement ps = c.prepareStatement(BACK_IN_RANGE)) {
                Timestamp at = new Timestamp(s.measuredAt());
                ps.setTimestamp(1, at);
                ps.setTimestamp(2, now);
                ps.setTimestamp(3, at);
                ps.setLong(4, activeId);
                return new Change(ChangeKind.UPDATED, returned(ps), s);
            }
        }
        if (s.kind() == AlertSignal.Kind.RECUR) {
            return renotify(c, s, now, activeId, activeStatus);
        }
        try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
            Timestamp at = new Timestamp(s.measuredAt());
            ps.setInt(1, s.occurrences());
            ps.setTimestamp(2, now);
            ps.setTimestamp(3, at);
            ps.setDouble(4, s.value());
            ps.setTimestamp(5, at);
            // Firing again lifts the back-in-range mark; a late firing from before it leaves it.
            ps.setBoolean(6, s.backInRange());
            ps.setLong(7, activeId);
            return new Change(ChangeKind.UPDATED, returned(ps), s);
        }
    }

    private Change renotify(Connection c, AlertSignal s, Timestamp now, long id, String fromStatus) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RENOTIFY)) {
            Timestamp at = new Timestamp(s.measuredAt());
            int i = 1;
            ps.setInt(i++, s.occurrences());
            ps.setTimestamp(i++, now);
            ps.setTimestamp(i++, now);
            ps.setBoolean(i++, s.late());
            ps.setTimestamp(i++, at);
            ps.setDouble(i++, s.value());
            ps.setTimestamp(i++, at);
            ps.setLong(i, id);
            JsonObject alert = returned(ps);
            transition(c, id, now, SYSTEM, ChangeKind.ESCALATED, fromStatus, "open",
                    "back after it was back in range: " + s.detail());
            WebhookOutbox.enqueue(c, ChangeKind.ESCALATED, alert, now);
            return new Change(ChangeKind.ESCALATED, alert, s);
        }
    }

    private Change autoResolve(Connection c, AlertSignal s, Timestamp now, long id, String fromStatus)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(AUTO_RESOLVE)) {
            Timestamp at = new Timestamp(s.measuredAt());
            ps.setTimestamp(1, now);
            ps.setString(2, SYSTEM);
            ps.setString(3, AUTO_CLEARED);
            ps.setTimestamp(4, now);
            ps.setTimestamp(5, at);
            ps.setTimestamp(6, at);
            ps.setLong(7, id);
            JsonObject alert = returned(ps);
            // The reading that cleared it goes into the record, not over the alert's headline.
            transition(c, id, now, SYSTEM, ChangeKind.RESOLVED, fromStatus, "resolved", AUTO_CLEARED + ": " + s.detail());
            WebhookOutbox.enqueue(c, ChangeKind.RESOLVED, alert, now);
            return new Change(ChangeKind.RESOLVED, alert, s);
        }
    }

    private Change escalate(Connection c, AlertSignal s, Timestamp now, long id, String fromStatus) throws SQLException {
        // A worsening is the alert's new headline, whatever it led with before.
        AlertSignal.Headline h = s.headline() != null ? s.headline()
                : new AlertSignal.Headline(s.metric(), s.value(), s.measuredAt(), s.detail(), true);
        try (PreparedStatement ps = c.prepareStatement(ESCALATE)) {
            Timestamp at = new Timestamp(s.measuredAt());
            int i = 1;
            ps.setInt(i++, s.occurrences());
            ps.setTimestamp(i++, now);
            // A worsening tells the doctor now (and ends a snooze): the next reminder counts from here.
            ps.setTimestamp(i++, now);
            ps.setString(i++, h.detail());
            ps.setDouble(i++, h.value());
            ps.setString(i++, s.severity().wireName());
            ps.setShort(i++, (short) h.metric().code());
            ps.setDouble(i++, h.value());
            ps.setTimestamp(i++, new Timestamp(h.measuredAt()));
            ps.setBoolean(i++, s.late());
            ps.setTimestamp(i++, at);
            ps.setDouble(i++, s.value());
            ps.setTimestamp(i++, at);
            ps.setBoolean(i++, s.backInRange());
            ps.setLong(i, id);
            JsonObject alert = returned(ps);
            transition(c, id, now, SYSTEM, ChangeKind.ESCALATED, fromStatus, "open", s.detail());
            WebhookOutbox.enqueue(c, ChangeKind.ESCALATED, alert, now);
            return new Change(ChangeKind.ESCALATED, alert, s);
        }
    }

    private Change open(Connection c, AlertSignal s, Timestamp now, ChangeKind kind) throws SQLException {
        // Led by the episode's worst observation: on OPEN the observation itself, unless a restart or a
        // flapping episode made the alert active later in its course.
        AlertSignal.Headline h = s.headline() != null ? s.headline()
                : new AlertSignal.Headline(s.metric(), s.value(), s.measuredAt(), s.detail(), true);
        try (PreparedStatement ps = c.prepareStatement(OPEN)) {
            Timestamp at = new Timestamp(s.measuredAt());
            int i = 1;
            ps.setString(i++, s.ruleId());
            ps.setString(i++, s.severity().wireName());
            ps.setShort(i++, (short) h.metric().code());
            ps.setDouble(i++, h.value());
            ps.setTimestamp(i++, new Timestamp(h.measuredAt()));
            ps.setTimestamp(i++, now);
            ps.setInt(i++, Math.max(1, s.occurrences()));
            ps.setDouble(i++, s.value());
            ps.setTimestamp(i++, at);
            ps.setTimestamp(i++, now);
            ps.setString(i++, h.detail());
            ps.setDouble(i++, h.value());
            ps.setBoolean(i++, s.late());
            ps.setLong(i, s.patientId());
            try (ResultSet rs = ps.executeQuery()) {
                // No row: the patient no longer exists. (A concurrent open cannot happen while one node
                // evaluates each patient, and SELECT ... FOR UPDATE serialises the rest.)
                if (!rs.next()) {
                    return null;
                }
                JsonObject alert = alert(rs);
                transition(c, alert.getLong("id"), now, SYSTEM, ChangeKind.OPENED, null, "open", s.detail());
                WebhookOutbox.enqueue(c, ChangeKind.OPENED, alert, now);
                return new Change(kind, alert, s);
            }
        }
    }

    private static JsonObject returned(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("alert row vanished inside its transaction");
            }
            return alert(rs);
        }
    }

    private static void transition(Connection c, long alertId, Timestamp at, String actor, ChangeKind change,
                                   String from, String to, String note) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(TRANSITION)) {
            ps.setLong(1, alertId);
            ps.setTimestamp(2, at);
            ps.setString(3, actor);
            ps.setString(4, change.wireName());
            ps.setString(5, from);
            ps.setString(6, to);
            ps.setString(7, note);
            ps.executeUpdate();
        }
    }

    /** Alerts newest first, filtered by doctor, status and patient (each optional), before the given id. */
    public List<JsonObject> list(Long doctorId, String status, Long patientId, Long beforeId, int limit)
            throws SQLException {
        return list(null, doctorId, status, patientId, beforeId, limit);
    }

    /**
     * Alerts newest first that the caller may see ({@code scope}: a doctor's id, or {@code null} for everything),
     * filtered by the doctor they were routed to, status and patient (each optional), before the given id.
     */
    public List<JsonObject> list(Long scope, Long doctorId, String status, Long patientId, Long beforeId, int limit)
            throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(LIST)) {
            ps.setObject(1, doctorId, java.sql.Types.BIGINT);
            ps.setObject(2, doctorId, java.sql.Types.BIGINT);
            ps.setString(3, status);
            ps.setString(4, status);
            ps.setObject(5, patientId, java.sql.Types.BIGINT);
            ps.setObject(6, patientId, java.sql.Types.BIGINT);
            ps.setLong(7, beforeId == null ? Long.MAX_VALUE : beforeId);
            ps.setObject(8, scope, java.sql.Types.BIGINT);
            ps.setObject(9, scope, java.sql.Types.BIGINT);
            ps.setObject(10, scope, java.sql.Types.BIGINT);
            ps.setInt(11, limit);
            List<JsonObject> alerts = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    alerts.add(alert(rs));
                }
            }
            return alerts;
        }
    }

    public Optional<JsonObject> alert(long id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return alert(c, id);
        }
    }


    /** What a doctor may do with an alert. */
    public enum Access {
        /** Nothing: it does not exist, or is none of hers; answered as not found. */
        NONE,
        /** Read it: it was routed to her, but its patient is no longer in her care. */
        READ,
        /** Read and act on it. */
        ACT
    }

    public Access access(long alertId, long doctorId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ACCESS)) {
            ps.setLong(1, doctorId);
            ps.setLong(2, doctorId);
            ps.setLong(3, alertId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Access.NONE;
                }
                return rs.getBoolean(1) ? Access.ACT : rs.getBoolean(2) ? Access.READ : Access.NONE;
            }
        }
    }

    /**
     * Reminds and escalates open critical alerts that nobody acknowledged within {@code interval} of their last
     * notice: each goes one tier further up (the township above the patient's clinic, then the county), as far as
     * the tree goes, and is re-sent to the responsible doctor. Snoozed alerts wait for their snooze to end.
     */
    public List<Change> escalateDue(Instant now, java.time.Duration interval, int limit) throws SQLException {
        return inTransaction(c -> {
            List<Change> changes = new ArrayList<>();
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
                    ChangeKind kind = up == null ? ChangeKind.REMINDED : ChangeKind.TIER_ESCALATED;
                    ps.setTimestamp(1, at);
                    ps.setTimestamp(2, at);
                    ps.setObject(3, up, java.sql.Types.BIGINT);
                    ps.setObject(4, up, java.sql.Types.BIGINT);
                    ps.setLong(5, id);
                    JsonObject alert = returned(ps);
                    transition(c, id, at, SYSTEM, kind, "open", "open", up == null
                            ? "unacknowledged: reminded" : "unacknowledged: escalated to organisation " + up);
                    WebhookOutbox.enqueue(c, kind, alert, at);
                    changes.add(new Change(kind, alert, null));
                }
            }
            return changes;
        });
    }

    /**
     * A doctor snoozes an active alert until {@code until}, with a reason: no reminders or escalation before
     * then. A worsening still notifies (and ends the snooze). A resolved alert cannot be snoozed.
     */
    public Change snooze(long id, String by, Instant until, String reason, Instant now) throws SQLException {
        return inTransaction(c -> {
            Timestamp at = Timestamp.from(now);
            try (PreparedStatement ps = c.prepareStatement(SNOOZE)) {
                ps.setTimestamp(1, Timestamp.from(until));
                ps.setString(2, by);
                ps.setString(3, reason);
                ps.setTimestamp(4, at);
                ps.setLong(5, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        JsonObject alert = alert(rs);
                        String status = alert.getString("status");
                        transition(c, id, at, by, ChangeKind.SNOOZED, status, status, "until " + until + ": " + reason);
                        WebhookOutbox.enqueue(c, ChangeKind.SNOOZED, alert, at);
                        return new Change(ChangeKind.SNOOZED, alert, null);
                    }
                }
            }
            if (alert(c, id).isEmpty()) {
                throw ApiException.notFound("alert " + id);
            }
            throw ApiException.conflict("status", "alert " + id + " is already resolved");
        });
    }

    /** Runs work in one transaction on a connection of its own; any failure rolls it back. */
    private <T> T inTransaction(org.vigil.common.db.Transactions.Work<T> work) throws SQLException {
        return org.vigil.common.db.Transactions.run(dataSource, work);
    }

    /**
     * After a contract change: the patient's active alerts move to the doctor responsible now, each with a
     * transition and its webhook deliveries. Alerts already with her are left alone, so a repeat changes nothing.
     */
    public List<Change> reroute(long patientId, Instant now) throws SQLException {
        return rerouteWhere(patientId, now);
    }

    /** {@link #reroute} for every patient whose active alerts are not with the doctor responsible now. */
    public List<Change> rerouteStale(Instant now) throws SQLException {
        return rerouteWhere(null, now);
    }

    private List<Change> rerouteWhere(Long patientId, Instant now) throws SQLException {
        return inTransaction(c -> {
            Timestamp at = Timestamp.from(now);
            List<Change> changes = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(REROUTE)) {
                ps.setTimestamp(1, at);
                ps.setTimestamp(2, at);
                ps.setObject(3, patientId, java.sql.Types.BIGINT);
                ps.setObject(4, patientId, java.sql.Types.BIGINT);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        changes.add(new Change(ChangeKind.REROUTED, alert(rs), null));
                    }
                }
            }
            for (Change change : changes) {
                JsonObject alert = change.alert();
                String status = alert.getString("status");
                Long doctor = alert.getLong("doctorId");
                transition(c, alert.getLong("id"), at, SYSTEM, ChangeKind.REROUTED, status, status,
                        doctor == null ? "contract ended: no doctor responsible" : "contract changed: now doctor " + doctor);
                WebhookOutbox.enqueue(c, ChangeKind.REROUTED, alert, at);
            }
            return changes;
        });
    }

    /** The organisation a doctor works at, if she exists. */
    public Optional<Long> doctorOrganisation(long doctorId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(DOCTOR_ORGANISATION)) {
            ps.setLong(1, doctorId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
    }

    private static Optional<JsonObject> alert(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_ONE)) {
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
     * @return the alert and whether this call changed it (kind {@code ACKNOWLEDGED} or {@code null})
     */
    public Change acknowledge(long id, String by, Instant now) throws SQLException {
        return inTransaction(c -> acknowledge(c, id, by, Timestamp.from(now)));
    }

    private static Change acknowledge(Connection c, long id, String by, Timestamp now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ACKNOWLEDGE)) {
            ps.setTimestamp(1, now);
            ps.setString(2, by);
            ps.setTimestamp(3, now);
            ps.setLong(4, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    JsonObject alert = alert(rs);
                    transition(c, id, now, by, ChangeKind.ACKNOWLEDGED, "open", "acknowledged", null);
                    WebhookOutbox.enqueue(c, ChangeKind.ACKNOWLEDGED, alert, now);
                    return new Change(ChangeKind.ACKNOWLEDGED, alert, null);
                }
            }
        }
        JsonObject current = alert(c, id).orElseThrow(() -> ApiException.notFound("alert " + id));
        if ("resolved".equals(current.getString("status"))) {
            throw ApiException.conflict("status", "alert " + id + " is already resolved");
        }
        return new Change(null, current, null);
    }

    /**
     * A doctor resolves an active alert with a disposition (and an optional note). A resolved alert is a
     * conflict; an unknown id is not found.
     */
    public Change resolve(long id, String by, String disposition, String note, Instant now) throws SQLException {
        return inTransaction(c -> {
            JsonObject current = alert(c, id).orElseThrow(() -> ApiException.notFound("alert " + id));
            Timestamp ts = Timestamp.from(now);
            try (PreparedStatement ps = c.prepareStatement(RESOLVE)) {
                ps.setTimestamp(1, ts);
                ps.setString(2, by);
                ps.setString(3, disposition);
                ps.setTimestamp(4, ts);
                ps.setLong(5, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw ApiException.conflict("status", "alert " + id + " is already resolved");
                    }
                    JsonObject alert = alert(rs);
                    transition(c, id, ts, by, ChangeKind.RESOLVED, current.getString("status"), "resolved",
                            note == null ? disposition : disposition + ": " + note);
                    WebhookOutbox.enqueue(c, ChangeKind.RESOLVED, alert, ts);
                    return new Change(ChangeKind.RESOLVED, alert, null);
                }
            }
        });
    }

    /** The alert's transitions, oldest first; empty for an alert that does not exist. */
    public Optional<JsonArray> transitions(long id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (alert(c, id).isEmpty()) {
                return Optional.empty();
            }
            JsonArray items = new JsonArray();
            try (PreparedStatement ps = c.prepareStatement(TRANSITIONS)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        JsonObject t = new JsonObject()
                                .put("at", rs.getTimestamp("at").toInstant().toString())
                                .put("by", rs.getString("actor"))
                                .put("change", rs.getString("change"))
                                .put("from", rs.getString("from_status"))
                                .put("to", rs.getString("to_status"));
                        if (rs.getString("note") != null) {
                            t.put("note", rs.getString("note"));
                        }
                        items.add(t);
                    }
                }
            }
            return Optional.of(items);
        }
    }

    private static JsonObject alert(ResultSet rs) throws SQLException {
        Metric metric = Metric.byCode(rs.getInt("metric"));
        JsonObject json = new JsonObject()
                .put("id", rs.getLong("id"))
                .put("patientId", rs.getLong("patient_id"))
                .put("doctorId", (Long) rs.getObject("doctor_id"))
                .put("organisationId", (Long) rs.getObject("organisation_id"))
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
                .put("worstValue", rs.getDouble("worst_value"))
                .put("lastMeasuredAt", rs.getTimestamp("last_measured_at").toInstant().toString())
                .put("updatedAt", rs.getTimestamp("updated_at").toInstant().toString())
                .put("detail", rs.getString("detail"))
                .put("late", rs.getBoolean("late"));
        JsonArray escalatedTo = new JsonArray();
        for (Object org : (Object[]) rs.getArray("escalated_to").getArray()) {
            escalatedTo.add(((Number) org).longValue());
        }
        json.put("escalatedTo", escalatedTo);
        Timestamp notified = rs.getTimestamp("last_notified_at");
        if (notified != null) {
            json.put("lastNotifiedAt", notified.toInstant().toString());
        }
        Timestamp snoozedUntil = rs.getTimestamp("snoozed_until");
        if (snoozedUntil != null) {
            json.put("snoozedUntil", snoozedUntil.toInstant().toString()).put("snoozedBy", rs.getString("snoozed_by"))
                    .put("snoozeReason", rs.getString("snooze_reason"));
        }
        Timestamp ackAt = rs.getTimestamp("acknowledged_at");
        if (ackAt != null) {
            json.put("acknowledgedAt", ackAt.toInstant().toString()).put("acknowledgedBy", rs.getString("acknowledged_by"));
        }
        Timestamp backInRange = rs.getTimestamp("back_in_range_at");
        if (backInRange != null) {
            json.put("backInRangeAt", backInRange.toInstant().toString());
        }
        Timestamp resolvedAt = rs.getTimestamp("resolved_at");
        if (resolvedAt != null) {
            json.put("resolvedAt", resolvedAt.toInstant().toString()).put("resolvedBy", rs.getString("resolved_by"))
                    .put("disposition", rs.getString("disposition"));
        }
        return json;
    }
}
