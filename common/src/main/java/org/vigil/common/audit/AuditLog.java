package org.vigil.common.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The append-only record of who changed or read what, and when (table {@code audit_event}; a trigger refuses
 * updates, deletes and truncation). A change is recorded in the transaction that makes it, so a change
 * without its record cannot exist; a read is recorded after it was served. Blocking: call from a worker.
 */
public final class AuditLog {

    /**
     * One event.
     *
     * @param actor       who: {@code admin} or {@code doctor:<id>}
     * @param action      what, as a verb phrase: {@code patient.read}, {@code contract.changed}, ...
     * @param targetType  the kind of thing acted on: {@code patient}, {@code device}, {@code care_plan}, ...
     * @param targetId    its id, when it has one
     * @param patientId   the patient whose data it concerns, when there is one
     * @param detail      what changed, or {@code null}
     */
    public record Event(String actor, String action, String targetType, Long targetId, Long patientId,
                        JsonObject detail) {

        public Event {
            Objects.requireNonNull(actor, "actor");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(targetType, "targetType");
        }
    }

    /** Which events to list; every field is optional. */
    public record Filter(String actor, Long patientId, String targetType, Long targetId, String action) {
    }

    private static final String INSERT = """
            INSERT INTO audit_event (actor, action, target_type, target_id, patient_id, detail)
            VALUES (?, ?, ?, ?, ?, ?::jsonb)""";
    private static final String LIST = """
            SELECT id, at, actor, action, target_type, target_id, patient_id, detail::text FROM audit_event
             WHERE id > ? AND (?::text IS NULL OR actor = ?) AND (?::bigint IS NULL OR patient_id = ?)
               AND (?::text IS NULL OR target_type = ?) AND (?::bigint IS NULL OR target_id = ?)
               AND (?::text IS NULL OR action = ?)
             ORDER BY id LIMIT ?""";

    private final DataSource dataSource;

    public AuditLog(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Records events in the caller's transaction. */
    public static void append(Connection c, Event... events) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (Event e : events) {
                ps.setString(1, e.actor());
                ps.setString(2, e.action());
                ps.setString(3, e.targetType());
                ps.setObject(4, e.targetId(), Types.BIGINT);
                ps.setObject(5, e.patientId(), Types.BIGINT);
                ps.setString(6, e.detail() == null ? null : e.detail().encode());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Records events in a transaction of their own (reads, which change nothing else). */
    public void append(Event... events) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            append(c, events);
        }
    }

    /** Events oldest first, after the given id. */
    public List<JsonObject> list(Filter f, long afterId, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(LIST)) {
            ps.setLong(1, afterId);
            ps.setString(2, f.actor());
            ps.setString(3, f.actor());
            ps.setObject(4, f.patientId(), Types.BIGINT);
            ps.setObject(5, f.patientId(), Types.BIGINT);
            ps.setString(6, f.targetType());
            ps.setString(7, f.targetType());
            ps.setObject(8, f.targetId(), Types.BIGINT);
            ps.setObject(9, f.targetId(), Types.BIGINT);
            ps.setString(10, f.action());
            ps.setString(11, f.action());
            ps.setInt(12, limit);
            List<JsonObject> items = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    JsonObject json = new JsonObject()
                            .put("id", rs.getLong(1))
                            .put("at", rs.getTimestamp(2).toInstant().toString())
                            .put("actor", rs.getString(3))
                            .put("action", rs.getString(4))
                            .put("targetType", rs.getString(5))
                            .put("targetId", (Long) rs.getObject(6))
                            .put("patientId", (Long) rs.getObject(7));
                    String detail = rs.getString(8);
                    if (detail != null) {
                        json.put("detail", new JsonObject(detail));
                    }
                    items.add(json);
                }
            }
            return items;
        }
    }

    /** A small detail object from alternating names and values. */
    public static JsonObject detail(Object... namesAndValues) {
        JsonObject json = new JsonObject();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            Object value = namesAndValues[i + 1];
            json.put((String) namesAndValues[i], value instanceof List<?> l ? new JsonArray(new ArrayList<>(l)) : value);
        }
        return json;
    }
}
