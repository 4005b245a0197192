package org.vigil.alerting.store;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Objects;
import javax.sql.DataSource;
import org.vigil.alerting.store.AlertChange.Kind;
import org.vigil.common.db.Transactions;

/**
 * What doctors do with alerts: acknowledge, snooze and resolve with a disposition. Each change is recorded with
 * who and when, and its webhook deliveries, in the same transaction; an action the alert's state does not allow
 * throws {@link AlertRefusedException}. Who may act on which alert is the caller's check
 * ({@link AlertQueries#access}). Blocking: call from a worker.
 */
public final class AlertActions {

    private static final String RESOLVE = """
            UPDATE alert SET status = 'resolved', resolved_at = ?, resolved_by = ?, disposition = ?, updated_at = ?
             WHERE id = ? AND status <> 'resolved'
            RETURNING """ + " " + AlertRows.COLUMNS;
    private static final String SNOOZE = """
            UPDATE alert SET snoozed_until = ?, snoozed_by = ?, snooze_reason = ?, updated_at = ?
             WHERE id = ? AND status <> 'resolved'
            RETURNING """ + " " + AlertRows.COLUMNS;
    private static final String ACKNOWLEDGE = """
            UPDATE alert SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, updated_at = ?
             WHERE id = ? AND status = 'open'
            RETURNING """ + " " + AlertRows.COLUMNS;

    private final DataSource dataSource;

    public AlertActions(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * A doctor snoozes an active alert until {@code until}, with a reason: no reminders or escalation before
     * then. A worsening still notifies (and ends the snooze). A resolved alert cannot be snoozed.
     */
    public AlertChange snooze(long id, String by, Instant until, String reason, Instant now) throws SQLException {
        return Transactions.run(dataSource, c -> {
            Timestamp at = Timestamp.from(now);
            try (PreparedStatement ps = c.prepareStatement(SNOOZE)) {
                ps.setTimestamp(1, Timestamp.from(until));
                ps.setString(2, by);
                ps.setString(3, reason);
                ps.setTimestamp(4, at);
                ps.setLong(5, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        JsonObject alert = AlertRows.read(rs);
                        String status = alert.getString("status");
                        AlertRows.record(c, id, at, by, Kind.SNOOZED, status, status,
                                "until " + until + ": " + reason, alert);
                        return new AlertChange(Kind.SNOOZED, alert, null);
                    }
                }
            }
            if (AlertRows.find(c, id).isEmpty()) {
                throw unknown(id);
            }
            throw resolved(id);
        });
    }

    /**
     * Acknowledges an open alert. Acknowledging an acknowledged alert returns it unchanged; a resolved
     * one is refused ({@code RESOLVED}), and so is an unknown id ({@code UNKNOWN}).
     *
     * @return the alert and whether this call changed it (kind {@code ACKNOWLEDGED} or {@code null})
     */
    public AlertChange acknowledge(long id, String by, Instant now) throws SQLException {
        return Transactions.run(dataSource, c -> acknowledge(c, id, by, Timestamp.from(now)));
    }

    private static AlertChange acknowledge(Connection c, long id, String by, Timestamp now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ACKNOWLEDGE)) {
            ps.setTimestamp(1, now);
            ps.setString(2, by);
            ps.setTimestamp(3, now);
            ps.setLong(4, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    JsonObject alert = AlertRows.read(rs);
                    AlertRows.record(c, id, now, by, Kind.ACKNOWLEDGED, "open", "acknowledged", null, alert);
                    return new AlertChange(Kind.ACKNOWLEDGED, alert, null);
                }
            }
        }
        JsonObject current = AlertRows.find(c, id).orElseThrow(() -> unknown(id));
        if ("resolved".equals(current.getString("status"))) {
            throw resolved(id);
        }
        return new AlertChange(null, current, null);
    }

    /**
     * A doctor resolves an active alert with a disposition (and an optional note). A resolved alert is
     * refused ({@code RESOLVED}), and so is an unknown id ({@code UNKNOWN}).
     */
    public AlertChange resolve(long id, String by, String disposition, String note, Instant now) throws SQLException {
        return Transactions.run(dataSource, c -> {
            JsonObject current = AlertRows.find(c, id).orElseThrow(() -> unknown(id));
            Timestamp ts = Timestamp.from(now);
            try (PreparedStatement ps = c.prepareStatement(RESOLVE)) {
                ps.setTimestamp(1, ts);
                ps.setString(2, by);
                ps.setString(3, disposition);
                ps.setTimestamp(4, ts);
                ps.setLong(5, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw resolved(id);
                    }
                    JsonObject alert = AlertRows.read(rs);
                    AlertRows.record(c, id, ts, by, Kind.RESOLVED, current.getString("status"), "resolved",
                            note == null ? disposition : disposition + ": " + note, alert);
                    return new AlertChange(Kind.RESOLVED, alert, null);
                }
            }
        });
    }

    private static AlertRefusedException unknown(long id) {
        return new AlertRefusedException(id, AlertRefusedException.Reason.UNKNOWN);
    }

    private static AlertRefusedException resolved(long id) {
        return new AlertRefusedException(id, AlertRefusedException.Reason.RESOLVED);
    }
}
