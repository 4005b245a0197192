package org.vigil.registry.store;

import static org.vigil.registry.store.Rows.all;
import static org.vigil.registry.store.Rows.longOrNull;
import static org.vigil.registry.store.Rows.one;
import static org.vigil.registry.store.Rows.time;
import static org.vigil.registry.store.Rows.transaction;

import io.vertx.core.json.JsonArray;
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
import java.util.Optional;
import javax.sql.DataSource;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.http.ApiException;
import org.vigil.registry.model.DeviceIdentity;

/**
 * Devices: registration, binding to patients over time, secrets and revocation; the connection state the MQTT
 * endpoints report is written through {@link DeviceConnectionStore}. Reads take a doctor scope like
 * {@link PatientStore}: a doctor sees the devices of patients she may see. Blocking: call from a worker thread.
 */
public final class DeviceStore {

    private static final String DEVICE_SELECT = """
            SELECT d.id, d.serial, d.type, d.model, d.firmware, d.created_at, d.revoked_at, d.last_seen_at,
                   d.connected, d.connection_changed_at, b.patient_id, b.valid_from
              FROM device d
              -- The binding valid now: a move scheduled for later does not show the next patient yet.
              LEFT JOIN device_binding b ON b.device_id = d.id AND b.valid_from <= now()
                                        AND (b.valid_to IS NULL OR b.valid_to > now())""";
    private static final String SELECT_DEVICE = DEVICE_SELECT
            + " WHERE d.id = ? AND (?::bigint IS NULL OR doctor_sees_patient(?, b.patient_id))";
    private static final String LIST_DEVICES = DEVICE_SELECT + """

             WHERE d.id > ? AND (?::bigint IS NULL OR b.patient_id = ?)
               AND (?::bigint IS NULL OR b.patient_id IN (SELECT patient_id FROM visible_patients(?)))
             ORDER BY d.id LIMIT ?""";
    private static final String INSERT_DEVICE = """
            INSERT INTO device (serial, type, model, firmware, secret_salt, secret_hash) VALUES (?, ?, ?, ?, ?, ?)
            RETURNING id""";
    private static final String UPDATE_DEVICE = """
            UPDATE device SET model = COALESCE(?, model), firmware = COALESCE(?, firmware) WHERE id = ?""";
    private static final String PATIENT_EXISTS = "SELECT 1 FROM patient WHERE id = ?";
    private static final String LOCK_DEVICE = "SELECT serial, revoked_at IS NOT NULL FROM device WHERE id = ? FOR UPDATE";
    private static final String OPEN_BINDING = """
            SELECT id, patient_id, valid_from FROM device_binding WHERE device_id = ? AND valid_to IS NULL FOR UPDATE""";
    private static final String END_BINDING = "UPDATE device_binding SET valid_to = ? WHERE id = ?";
    private static final String INSERT_BINDING = """
            INSERT INTO device_binding (device_id, patient_id, valid_from, created_by) VALUES (?, ?, ?, ?)""";
    private static final String INSERT_FIRST_BINDING = """
            INSERT INTO device_binding (device_id, patient_id, valid_from, created_by) VALUES (?, ?, '-infinity', ?)""";
    /** A doctor sees only the periods of patients she may see: a refurbished cuff does not name its former owner. */
    private static final String BINDINGS = """
            SELECT id, patient_id, valid_from, valid_to, created_by, created_at FROM device_binding
             WHERE device_id = ? AND (?::bigint IS NULL OR doctor_sees_patient(?, patient_id))
             ORDER BY valid_from, id""";
    /** Where the newest ended binding ends: a new one may not start before it (periods never overlap). */
    private static final String LAST_END = "SELECT max(valid_to) FROM device_binding WHERE device_id = ?";
    private static final String ROTATE_SECRET = """
            UPDATE device SET secret_salt = ?, secret_hash = ? WHERE id = ? AND revoked_at IS NULL""";
    private static final String REVOKE = "UPDATE device SET revoked_at = COALESCE(revoked_at, now()) WHERE id = ?";
    private static final String SELECT_IDENTITY = """
            SELECT d.id, d.serial, d.secret_salt, d.secret_hash, d.revoked_at IS NOT NULL,
                   b.patient_id,
                   CASE WHEN isfinite(b.valid_from) THEN (extract(epoch FROM b.valid_from) * 1000)::bigint END,
                   (extract(epoch FROM b.valid_to) * 1000)::bigint
              FROM device d LEFT JOIN device_binding b ON b.device_id = d.id
             WHERE d.serial = ? ORDER BY b.valid_from, b.id""";
    private final DataSource dataSource;

    public DeviceStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Registers a device bound to a patient. Its first binding has no start: readings it buffered before it was
     * registered belong to that patient too.
     */
    public JsonObject createDevice(String serial, String type, String model, String firmware, long patientId,
            byte[] salt, byte[] hash, String actor) throws SQLException {
        try {
            return transaction(dataSource, c -> {
                if (one(c, PATIENT_EXISTS, rs -> new JsonObject(), patientId).isEmpty()) {
                    throw new ApiException(404, "not_found", "patientId", "patient " + patientId + " not found");
                }
                long id;
                try (PreparedStatement ps = Rows.bind(c.prepareStatement(INSERT_DEVICE), serial, type, model, firmware,
                        salt, hash); ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
                Rows.update(c, INSERT_FIRST_BINDING, id, patientId, actor);
                AuditLog.append(c, new AuditLog.Event(actor, "device.registered", "device", id, patientId,
                        AuditLog.detail("serial", serial, "type", type, "model", model, "firmware", firmware)));
                return one(c, SELECT_DEVICE, DeviceStore::device, id, null, null).orElseThrow();
            });
        } catch (SQLException e) {
            if (Rows.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw ApiException.conflict("serial", "a device with serial " + serial + " is already registered");
            }
            throw e;
        }
    }

    public Optional<JsonObject> device(long id, Long scope) throws SQLException {
        return one(dataSource, SELECT_DEVICE, DeviceStore::device, id, scope, scope);
    }

    public List<JsonObject> devices(Long patientId, Long scope, long afterId, int limit) throws SQLException {
        return all(dataSource, LIST_DEVICES, DeviceStore::device, afterId, patientId, patientId, scope, scope, limit);
    }

    /** Records a new model or firmware (each optional). */
    public JsonObject update(long id, String model, String firmware, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            lock(c, id);
            Rows.update(c, UPDATE_DEVICE, model, firmware, id);
            AuditLog.append(c, new AuditLog.Event(actor, "device.changed", "device", id, null,
                    AuditLog.detail("model", model, "firmware", firmware)));
            return one(c, SELECT_DEVICE, DeviceStore::device, id, null, null).orElseThrow();
        });
    }

    /**
     * Binds the device to a patient from {@code from}: the open binding ends there. Readings measured before
     * stay with the earlier patient, even when they arrive later.
     */
    public JsonObject bind(long id, long patientId, Instant from, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            lock(c, id);
            if (one(c, PATIENT_EXISTS, rs -> new JsonObject(), patientId).isEmpty()) {
                throw new ApiException(404, "not_found", "patientId", "patient " + patientId + " not found");
            }
            Long previous = endOpenBinding(c, id, from, "from");
            Rows.update(c, INSERT_BINDING, id, patientId, from, actor);
            AuditLog.append(c, new AuditLog.Event(actor, "device.bound", "device", id, patientId,
                    AuditLog.detail("from", from.toString(), "previousPatientId", previous)));
            return one(c, SELECT_DEVICE, DeviceStore::device, id, null, null).orElseThrow();
        });
    }

    /** Ends the open binding at {@code at}: readings measured later belong to nobody and are refused. */
    public JsonObject unbind(long id, Instant at, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            lock(c, id);
            Long previous = endOpenBinding(c, id, at, "at");
            if (previous == null) {
                throw ApiException.conflict(null, "device " + id + " is not bound to a patient");
            }
            AuditLog.append(c, new AuditLog.Event(actor, "device.unbound", "device", id, previous,
                    AuditLog.detail("at", at.toString())));
            return one(c, SELECT_DEVICE, DeviceStore::device, id, null, null).orElseThrow();
        });
    }

    /** The binding history, oldest first, as {@code {"items": [...]}}; empty when the caller may not see it. */
    public Optional<JsonObject> bindings(long id, Long scope) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (one(c, SELECT_DEVICE, DeviceStore::device, id, scope, scope).isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new JsonObject().put("items", new JsonArray(all(c, BINDINGS, rs -> {
                JsonObject json = new JsonObject()
                        .put("id", rs.getLong("id"))
                        .put("patientId", rs.getLong("patient_id"))
                        .put("createdBy", rs.getString("created_by"))
                        .put("createdAt", time(rs, "created_at"));
                String from = time(rs, "valid_from");
                String to = time(rs, "valid_to");
                if (from != null) {
                    json.put("validFrom", from);
                }
                if (to != null) {
                    json.put("validTo", to);
                }
                return json;
            }, id, scope, scope))));
        }
    }

    /**
     * Replaces a device's secret; the old one stops working as soon as caches hear of the change. A revoked
     * device keeps no secret worth rotating: that is a conflict.
     */
    public JsonObject rotateSecret(long id, byte[] salt, byte[] hash, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            if (lock(c, id)) {
                throw ApiException.conflict("id", "device " + id + " is revoked");
            }
            Rows.update(c, ROTATE_SECRET, salt, hash, id);
            AuditLog.append(c, new AuditLog.Event(actor, "device.secret_rotated", "device", id, null, null));
            return one(c, SELECT_DEVICE, DeviceStore::device, id, null, null).orElseThrow();
        });
    }

    /** Revokes a device for good; revoking twice keeps the first time. */
    public JsonObject revoke(long id, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            lock(c, id);
            Rows.update(c, REVOKE, id);
            AuditLog.append(c, new AuditLog.Event(actor, "device.revoked", "device", id, null, null));
            return one(c, SELECT_DEVICE, DeviceStore::device, id, null, null).orElseThrow();
        });
    }

    /** The credentials and bindings of the device with that serial, for the ingest cache. */
    public Optional<DeviceIdentity> identity(String serial) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT_IDENTITY)) {
            ps.setString(1, serial);
            try (ResultSet rs = ps.executeQuery()) {
                List<DeviceIdentity.Binding> bindings = new ArrayList<>();
                long id = 0;
                byte[] salt = null;
                byte[] hash = null;
                boolean revoked = false;
                while (rs.next()) {
                    id = rs.getLong(1);
                    salt = rs.getBytes(3);
                    hash = rs.getBytes(4);
                    revoked = rs.getBoolean(5);
                    long patient = rs.getLong(6);
                    if (!rs.wasNull()) {
                        long from = rs.getLong(7);
                        from = rs.wasNull() ? Long.MIN_VALUE : from;
                        long to = rs.getLong(8);
                        to = rs.wasNull() ? Long.MAX_VALUE : to;
                        bindings.add(new DeviceIdentity.Binding(patient, from, to));
                    }
                }
                if (salt == null) {
                    return Optional.empty();
                }
                return Optional.of(new DeviceIdentity(id, serial, bindings, salt, hash, revoked));
            }
        }
    }

    /** Locks the device row; returns whether it is revoked. */
    private static boolean lock(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = Rows.bind(c.prepareStatement(LOCK_DEVICE), id); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw ApiException.notFound("device " + id);
            }
            return rs.getBoolean(2);
        }
    }

    /** Ends the open binding at {@code at}; returns the patient it bound, or {@code null} when there was none. */
    private static Long endOpenBinding(Connection c, long id, Instant at, String field) throws SQLException {
        try (PreparedStatement ps = Rows.bind(c.prepareStatement(OPEN_BINDING), id); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                Rows.requireNotBeforeLastEnd(c, LAST_END, id, at, field, "the device was bound");
                return null;
            }
            long bindingId = rs.getLong(1);
            long patientId = rs.getLong(2);
            Timestamp from = rs.getTimestamp(3);
            if (from.getTime() != org.postgresql.PGStatement.DATE_NEGATIVE_INFINITY && !at.isAfter(from.toInstant())) {
                throw ApiException.conflict(field, "the current binding began at " + from.toInstant() + "; " + field
                        + " must be later");
            }
            Rows.update(c, END_BINDING, at, bindingId);
            return patientId;
        }
    }

    static JsonObject device(ResultSet rs) throws SQLException {
        JsonObject json = new JsonObject()
                .put("id", rs.getLong("id"))
                .put("serial", rs.getString("serial"))
                .put("type", rs.getString("type"))
                .put("connected", rs.getBoolean("connected"))
                .put("createdAt", time(rs, "created_at"));
        putIfPresent(json, "model", rs.getString("model"));
        putIfPresent(json, "firmware", rs.getString("firmware"));
        putIfPresent(json, "patientId", longOrNull(rs, "patient_id"));
        putIfPresent(json, "boundFrom", time(rs, "valid_from"));
        putIfPresent(json, "lastSeenAt", time(rs, "last_seen_at"));
        putIfPresent(json, "connectionChangedAt", time(rs, "connection_changed_at"));
        putIfPresent(json, "revokedAt", time(rs, "revoked_at"));
        return json;
    }

    private static void putIfPresent(JsonObject json, String key, Object value) {
        if (value != null) {
            json.put(key, value);
        }
    }
}
