package org.vigil.alerting.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.vigil.common.model.Metric;

/**
 * The one place that knows an {@code alert} row: its columns, how a row reads, and how a change of status is
 * recorded ({@code alert_transition} and the organisations' webhooks, in the caller's transaction). Shared by
 * the alert stores ({@link AlertSignalStore}, {@link AlertActions}, {@link AlertQueries},
 * {@link EscalationStore}) so the row reads the same whichever wrote it.
 */
final class AlertRows {

    static final String COLUMNS = """
            id, patient_id, doctor_id, organisation_id, rule, severity, status, metric, value, measured_at, opened_at,
            occurrences, last_value, last_measured_at, updated_at, acknowledged_at, acknowledged_by,
            detail, worst_value, late, resolved_at, resolved_by, disposition, last_notified_at, escalated_to,
            snoozed_until, snoozed_by, snooze_reason, back_in_range_at, unit""";
    private static final String TRANSITION = """
            INSERT INTO alert_transition (alert_id, at, actor, change, from_status, to_status, note)
            VALUES (?, ?, ?, ?, ?, ?, ?)""";
    private static final String SELECT_ONE = "SELECT " + COLUMNS + " FROM alert WHERE id = ?";

    private AlertRows() {
    }

    /** The alert columns qualified by a table alias, for statements that join other tables. */
    static String qualified(String alias) {
        return Arrays.stream(COLUMNS.split(","))
                .map(c -> alias + "." + c.strip())
                .collect(Collectors.joining(", "));
    }

    /** The row a {@code ... RETURNING} statement wrote; it must be there. */
    static JsonObject returned(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("alert row vanished inside its transaction");
            }
            return read(rs);
        }
    }

    /** The alert as it is now, if it exists. */
    static Optional<JsonObject> find(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_ONE)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /**
     * Records a change of status: its transition, with who, when and why, and its webhook deliveries. Call inside
     * the transaction that changed the alert.
     */
    static void record(Connection c, long alertId, Timestamp at, String actor, AlertChange.Kind change,
                       String from, String to, String note, JsonObject alert) throws SQLException {
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
        WebhookOutbox.enqueue(c, change, alert, at);
    }

    /** The row at the result set's cursor, as the API, the live feeds and the webhooks show it. */
    static JsonObject read(ResultSet rs) throws SQLException {
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
                // Stored only where the rule's figure is not in the metric's unit (hours, a score, a share).
                .put("unit", Objects.requireNonNullElse(rs.getString("unit"), metric.ucum()))
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
