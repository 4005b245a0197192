package org.vigil.alerting.store;

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
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Reads alerts for the API: lists within a doctor's scope, one alert, its transitions, and what a doctor may do
 * with an alert. Blocking: call from a worker.
 */
public final class AlertQueries {

    private static final String TRANSITIONS = """
            SELECT at, actor, change, from_status, to_status, note FROM alert_transition
             WHERE alert_id = ? ORDER BY id""";
    private static final String LIST = "SELECT " + AlertRows.COLUMNS + """
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
            SELECT doctor_sees_patient(?, patient_id), doctor_id IS NOT DISTINCT FROM ? FROM alert WHERE id = ?""";
    private static final String DOCTOR_ORGANISATION = "SELECT organisation_id FROM registry_doctor WHERE id = ?";

    private final DataSource dataSource;

    public AlertQueries(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
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
            ps.setObject(1, doctorId, Types.BIGINT);
            ps.setObject(2, doctorId, Types.BIGINT);
            ps.setString(3, status);
            ps.setString(4, status);
            ps.setObject(5, patientId, Types.BIGINT);
            ps.setObject(6, patientId, Types.BIGINT);
            ps.setLong(7, beforeId == null ? Long.MAX_VALUE : beforeId);
            ps.setObject(8, scope, Types.BIGINT);
            ps.setObject(9, scope, Types.BIGINT);
            ps.setObject(10, scope, Types.BIGINT);
            ps.setInt(11, limit);
            List<JsonObject> alerts = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    alerts.add(AlertRows.read(rs));
                }
            }
            return alerts;
        }
    }

    public Optional<JsonObject> alert(long id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return AlertRows.find(c, id);
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

    /** The organisation a doctor works at, if she exists. */
    public Optional<Long> doctorOrganisation(long doctorId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(DOCTOR_ORGANISATION)) {
            ps.setLong(1, doctorId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
    }

    /** The alert's transitions, oldest first; empty for an alert that does not exist. */
    public Optional<JsonArray> transitions(long id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (AlertRows.find(c, id).isEmpty()) {
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
}
