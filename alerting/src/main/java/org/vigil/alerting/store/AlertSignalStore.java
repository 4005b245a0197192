package org.vigil.alerting.store;

import static org.vigil.alerting.store.AlertChange.AUTO_CLEARED;
import static org.vigil.alerting.store.AlertChange.SYSTEM;

import static org.vigil.alerting.store.AlertChange.AUTO_CLEARED;
import static org.vigil.alerting.store.AlertChange.SYSTEM;

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
import javax.sql.DataSource;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.alerting.clinical.ClinicalRules;
import org.vigil.alerting.store.AlertChange.Kind;
import org.vigil.alerting.store.AlertChange.Kind;
import org.vigil.common.db.Transactions;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/**
 * Turns the clinical engine's signals into alert rows. The partial unique index {@code alert_active_episode}
 * guarantees one active alert per patient and rule; {@link #apply} opens, updates, escalates, marks back in
 * range ({@code back_in_range_at}: the alert stays active for a doctor) and automatically resolves them (only
 * what the engine's rules let clear themselves). An alert leads with the worst observation of its episode
 * ({@code value}, {@code measured_at}, {@code detail}); the latest is {@code last_value}. Every change of status
 * is recorded with its transition and webhook deliveries ({@link AlertRows#record}) in the same transaction.
 * Blocking: call from a worker.
 */
public final class AlertSignalStore {

    private static final String SELECT_ACTIVE = """
            SELECT id, severity, status, metric, value FROM alert
             WHERE patient_id = ? AND rule = ? AND status <> 'resolved' FOR UPDATE""";
    /**
     * The alert's latest observation ({@code last_value}, {@code last_measured_at}): a late signal never
     * overwrites a newer one. Bound by {@link #bindLatest}.
     */
    private static final String LATEST = """
                   last_value = CASE WHEN ? >= last_measured_at THEN ? ELSE last_value END,
                   last_measured_at = GREATEST(last_measured_at, ?)
            """;
    private static final String OPEN = """
            INSERT INTO alert (patient_id, doctor_id, organisation_id, rule, severity, status, metric, value,
                               measured_at, opened_at, occurrences, last_value, last_measured_at, updated_at, detail,
                               worst_value, late, unit)
            SELECT p.id, c.doctor_id, t.organisation_id, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
              FROM registry_patient p
              -- Routed to whoever is responsible when the alert opens (the contract history keeps the rest).
              LEFT JOIN registry_contract c ON c.patient_id = p.id AND c.valid_from <= now()
                                  AND (c.valid_to IS NULL OR c.valid_to > now())
              LEFT JOIN registry_team t ON t.id = c.team_id
             WHERE p.id = ?
            ON CONFLICT (patient_id, rule) WHERE status <> 'resolved' DO NOTHING
            RETURNING """ + " " + AlertRows.COLUMNS;
    private static final String UPDATE = """
            UPDATE alert SET occurrences = GREATEST(occurrences, ?), updated_at = ?,
            """ + LATEST + """
                   , back_in_range_at = CASE WHEN ? THEN back_in_range_at END
             WHERE id = ?
            RETURNING """ + " " + AlertRows.COLUMNS;
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
                   back_in_range_at = NULL,
            """ + LATEST + """
             WHERE id = ?
            RETURNING """ + " " + AlertRows.COLUMNS;
    /** Back in range, but the alert waits for a doctor: marked, still active. */
    private static final String BACK_IN_RANGE = """
            UPDATE alert SET back_in_range_at = ?, updated_at = ?, last_measured_at = GREATEST(last_measured_at, ?)
             WHERE id = ?
            RETURNING """ + " " + AlertRows.COLUMNS;
    private static final String ESCALATE = """
            UPDATE alert SET occurrences = GREATEST(occurrences, ?), updated_at = ?, last_notified_at = ?,
                   snoozed_until = NULL, detail = ?, worst_value = ?, severity = ?, status = 'open', metric = ?, value = ?, measured_at = ?, late = ?,
            """ + LATEST + """
                   , acknowledged_at = NULL, acknowledged_by = NULL, back_in_range_at = CASE WHEN ? THEN back_in_range_at END
             WHERE id = ?
            RETURNING """ + " " + AlertRows.COLUMNS;
    private static final String AUTO_RESOLVE = """
            UPDATE alert SET status = 'resolved', resolved_at = ?, resolved_by = ?, disposition = ?, updated_at = ?,
                   back_in_range_at = COALESCE(back_in_range_at, ?), last_measured_at = GREATEST(last_measured_at, ?)
             WHERE id = ?
            RETURNING """ + " " + AlertRows.COLUMNS;

    /** The unit of the figures of a rule's alerts about a metric: {@link ClinicalRules#valueUnit}. */
    @FunctionalInterface
    public interface ValueUnits {
        String of(String ruleId, Metric metric);
    }

    private final DataSource dataSource;
    private final ValueUnits units;

    public AlertSignalStore(DataSource dataSource, ValueUnits units) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.units = Objects.requireNonNull(units, "units");
    }

    /**
     * Applies the engine's signals in order, in one transaction, and says what happened to each alert
     * (signals that changed nothing, such as a clear with no active alert, are left out).
     */
    public List<AlertChange> apply(List<AlertSignal> signals, Instant now) throws SQLException {
        return Transactions.run(dataSource, c -> {
            List<AlertChange> changes = new ArrayList<>(signals.size());
            for (AlertSignal signal : signals) {
                AlertChange change = apply(c, signal, Timestamp.from(now));
                if (change != null) {
                    changes.add(change);
                }
            }
            return changes;
        });
    }

    private AlertChange apply(Connection c, AlertSignal s, Timestamp now) throws SQLException {
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
                    return open(c, s, now, s.kind().notifies() ? Kind.OPENED : Kind.UPDATED);
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
                return new AlertChange(Kind.UPDATED, AlertRows.returned(ps), s);
            }
        }
        if (s.kind() == AlertSignal.Kind.RECUR) {
            return renotify(c, s, now, activeId, activeStatus);
        }
        try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
            int i = 1;
            ps.setInt(i++, s.occurrences());
            ps.setTimestamp(i++, now);
            i = bindLatest(ps, i, s);
            // Firing again lifts the back-in-range mark; a late firing from before it leaves it.
            ps.setBoolean(i++, s.backInRange());
            ps.setLong(i, activeId);
            return new AlertChange(Kind.UPDATED, AlertRows.returned(ps), s);
        }
    }

    /** Binds {@link #LATEST}'s three parameters from {@code i} on; returns the next index. */
    private static int bindLatest(PreparedStatement ps, int i, AlertSignal s) throws SQLException {
        Timestamp at = new Timestamp(s.measuredAt());
        ps.setTimestamp(i, at);
        ps.setDouble(i + 1, s.value());
        ps.setTimestamp(i + 2, at);
        return i + 3;
    }

    private AlertChange renotify(Connection c, AlertSignal s, Timestamp now, long id, String fromStatus) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RENOTIFY)) {
            int i = 1;
            ps.setInt(i++, s.occurrences());
            ps.setTimestamp(i++, now);
            ps.setTimestamp(i++, now);
            ps.setBoolean(i++, s.late());
            i = bindLatest(ps, i, s);
            ps.setLong(i, id);
            JsonObject alert = AlertRows.returned(ps);
            AlertRows.record(c, id, now, SYSTEM, Kind.ESCALATED, fromStatus, "open",
                    "back after it was back in range: " + s.detail(), alert);
            return new AlertChange(Kind.ESCALATED, alert, s);
        }
    }

    private AlertChange autoResolve(Connection c, AlertSignal s, Timestamp now, long id, String fromStatus)
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
            JsonObject alert = AlertRows.returned(ps);
            // The reading that cleared it goes into the record, not over the alert's headline.
            AlertRows.record(c, id, now, SYSTEM, Kind.RESOLVED, fromStatus, "resolved",
                    AUTO_CLEARED + ": " + s.detail(), alert);
            return new AlertChange(Kind.RESOLVED, alert, s);
        }
    }

    private AlertChange escalate(Connection c, AlertSignal s, Timestamp now, long id, String fromStatus) throws SQLException {
        // A worsening is the alert's new headline, whatever it led with before.
        AlertSignal.Headline h = s.headline() != null ? s.headline()
                : new AlertSignal.Headline(s.metric(), s.value(), s.measuredAt(), s.detail(), true);
        try (PreparedStatement ps = c.prepareStatement(ESCALATE)) {
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
            i = bindLatest(ps, i, s);
            ps.setBoolean(i++, s.backInRange());
            ps.setLong(i, id);
            JsonObject alert = AlertRows.returned(ps);
            AlertRows.record(c, id, now, SYSTEM, Kind.ESCALATED, fromStatus, "open", s.detail(), alert);
            return new AlertChange(Kind.ESCALATED, alert, s);
        }
    }

    private AlertChange open(Connection c, AlertSignal s, Timestamp now, Kind kind) throws SQLException {
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
            // Kept only where it is not the metric's: a threshold rule's alert may change metric when it worsens.
            String unit = units.of(s.ruleId(), h.metric());
            ps.setString(i++, unit.equals(h.metric().ucum()) ? null : unit);
            ps.setLong(i, s.patientId());
            try (ResultSet rs = ps.executeQuery()) {
                // No row: the patient no longer exists. (A concurrent open cannot happen while one node
                // evaluates each patient, and SELECT ... FOR UPDATE serialises the rest.)
                if (!rs.next()) {
                    return null;
                }
                JsonObject alert = AlertRows.read(rs);
                AlertRows.record(c, alert.getLong("id"), now, SYSTEM, Kind.OPENED, null, "open", s.detail(),
                        alert);
                return new AlertChange(kind, alert, s);
            }
        }
    }
}
