package org.vigil.registry.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.vigil.common.http.ApiException;
import org.vigil.registry.model.DeviceIdentity;

/**
 * JDBC access to doctors, patients and devices. Every method blocks: call from a worker thread.
 * Results are returned as the API's JSON shapes so the HTTP layer only routes.
 */
public final class RegistryStore {

    private static final String UNIQUE_VIOLATION = "23505";

    private static final String INSERT_DOCTOR = """
            INSERT INTO doctor (name, institution, tier) VALUES (?, ?, ?)
            RETURNING id, name, institution, tier, created_at""";
    private static final String SELECT_DOCTOR = "SELECT id, name, institution, tier, created_at FROM doctor WHERE id = ?";
    private static final String LIST_DOCTORS = """
            SELECT id, name, institution, tier, created_at FROM doctor WHERE id > ? ORDER BY id LIMIT ?""";
    private static final String INSERT_PATIENT = """
            INSERT INTO patient (name, doctor_id, conditions)
            SELECT ?, d.id, ? FROM doctor d WHERE d.id = ?
            RETURNING id, name, doctor_id, conditions, created_at""";
    private static final String SELECT_PATIENT = "SELECT id, name, doctor_id, conditions, created_at FROM patient WHERE id = ?";
    private static final String LIST_PATIENTS = """
            SELECT id, name, doctor_id, conditions, created_at FROM patient
             WHERE id > ? AND (?::bigint IS NULL OR doctor_id = ?) ORDER BY id LIMIT ?""";
    private static final String INSERT_DEVICE = """
            INSERT INTO device (serial, type, patient_id, secret_salt, secret_hash)
            SELECT ?, ?, p.id, ?, ? FROM patient p WHERE p.id = ?
            RETURNING id, serial, type, patient_id, created_at, revoked_at""";
    private static final String SELECT_DEVICE =
            "SELECT id, serial, type, patient_id, created_at, revoked_at FROM device WHERE id = ?";
    private static final String ROTATE_SECRET = """
            UPDATE device SET secret_salt = ?, secret_hash = ? WHERE id = ? AND revoked_at IS NULL
            RETURNING id, serial, type, patient_id, created_at, revoked_at""";
    private static final String REVOKE = """
            UPDATE device SET revoked_at = COALESCE(revoked_at, now()) WHERE id = ?
            RETURNING id, serial, type, patient_id, created_at, revoked_at""";
    private static final String LIST_DEVICES = """
            SELECT id, serial, type, patient_id, created_at, revoked_at FROM device
             WHERE id > ? AND (?::bigint IS NULL OR patient_id = ?) ORDER BY id LIMIT ?""";
    private static final String INSERT_TOKEN = """
            INSERT INTO doctor_token (doctor_id, token_hash) SELECT d.id, ? FROM doctor d WHERE d.id = ?
            RETURNING id, doctor_id, created_at""";
    private static final String DOCTOR_FOR_TOKEN =
            "SELECT doctor_id FROM doctor_token WHERE token_hash = ? AND revoked_at IS NULL";
    private static final String SELECT_PATIENT_SCOPED = """
            SELECT id, name, doctor_id, conditions, created_at FROM patient
             WHERE id = ? AND (?::bigint IS NULL OR doctor_id = ?)""";
    private static final String SELECT_IDENTITY = """
            SELECT id, serial, patient_id, secret_salt, secret_hash, revoked_at IS NOT NULL
              FROM device WHERE serial = ?""";

    private final DataSource dataSource;

    public RegistryStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    public JsonObject createDoctor(String name, String institution, String tier) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT_DOCTOR)) {
            ps.setString(1, name);
            ps.setString(2, institution);
            ps.setString(3, tier);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return doctor(rs);
            }
        }
    }

    public Optional<JsonObject> doctor(long id) throws SQLException {
        return one(SELECT_DOCTOR, id, RegistryStore::doctor);
    }

    public List<JsonObject> doctors(long afterId, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(LIST_DOCTORS)) {
            ps.setLong(1, afterId);
            ps.setInt(2, limit);
            return all(ps, RegistryStore::doctor);
        }
    }

    /** Creates a patient; a doctor id that names no doctor is the client's error. */
    public JsonObject createPatient(String name, long doctorId, List<String> conditions) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT_PATIENT)) {
            ps.setString(1, name);
            ps.setArray(2, c.createArrayOf("text", conditions.toArray()));
            ps.setLong(3, doctorId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new ApiException(404, "not_found", "doctorId", "doctor " + doctorId + " not found");
                }
                return patient(rs);
            }
        }
    }

    public Optional<JsonObject> patient(long id) throws SQLException {
        return one(SELECT_PATIENT, id, RegistryStore::patient);
    }

    /** The patient if the caller may see it: any for an administrator ({@code doctorScope} null), else hers. */
    public Optional<JsonObject> patient(long id, Long doctorScope) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT_PATIENT_SCOPED)) {
            ps.setLong(1, id);
            ps.setObject(2, doctorScope);
            ps.setObject(3, doctorScope);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(patient(rs)) : Optional.empty();
            }
        }
    }

    /** Stores a doctor's new API token by its hash; an unknown doctor is not found. */
    public JsonObject issueToken(long doctorId, byte[] tokenHash) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT_TOKEN)) {
            ps.setBytes(1, tokenHash);
            ps.setLong(2, doctorId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.notFound("doctor " + doctorId);
                }
                return new JsonObject().put("id", rs.getLong(1)).put("doctorId", rs.getLong(2))
                        .put("createdAt", rs.getTimestamp(3).toInstant().toString());
            }
        }
    }

    /** The doctor a (hashed) token belongs to, if it is valid. */
    public Optional<Long> doctorForToken(byte[] tokenHash) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(DOCTOR_FOR_TOKEN)) {
            ps.setBytes(1, tokenHash);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
    }

    public List<JsonObject> patients(Long doctorId, long afterId, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(LIST_PATIENTS)) {
            ps.setLong(1, afterId);
            ps.setObject(2, doctorId);
            ps.setObject(3, doctorId);
            ps.setInt(4, limit);
            return all(ps, RegistryStore::patient);
        }
    }

    /** Registers a device; a duplicate serial or an unknown patient is the client's error. */
    public JsonObject createDevice(String serial, String type, long patientId, byte[] salt, byte[] hash)
            throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT_DEVICE)) {
            ps.setString(1, serial);
            ps.setString(2, type);
            ps.setBytes(3, salt);
            ps.setBytes(4, hash);
            ps.setLong(5, patientId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new ApiException(404, "not_found", "patientId", "patient " + patientId + " not found");
                }
                return device(rs);
            }
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw ApiException.conflict("serial", "a device with serial " + serial + " is already registered");
            }
            throw e;
        }
    }

    public Optional<JsonObject> device(long id) throws SQLException {
        return one(SELECT_DEVICE, id, RegistryStore::device);
    }

    /**
     * Replaces a device's secret; the old one stops working as soon as caches hear of the change. A revoked
     * device keeps no secret worth rotating: that is a conflict.
     */
    public JsonObject rotateSecret(long id, byte[] salt, byte[] hash) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ROTATE_SECRET)) {
            ps.setBytes(1, salt);
            ps.setBytes(2, hash);
            ps.setLong(3, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return device(rs);
                }
            }
        }
        if (device(id).isEmpty()) {
            throw ApiException.notFound("device " + id);
        }
        throw ApiException.conflict("id", "device " + id + " is revoked");
    }

    /** Revokes a device for good; revoking twice keeps the first time. */
    public JsonObject revoke(long id) throws SQLException {
        return one(REVOKE, id, RegistryStore::device).orElseThrow(() -> ApiException.notFound("device " + id));
    }

    public List<JsonObject> devices(Long patientId, long afterId, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(LIST_DEVICES)) {
            ps.setLong(1, afterId);
            ps.setObject(2, patientId);
            ps.setObject(3, patientId);
            ps.setInt(4, limit);
            return all(ps, RegistryStore::device);
        }
    }

    /** The credentials and binding of the device with that serial, for the ingest cache. */
    public Optional<DeviceIdentity> identity(String serial) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT_IDENTITY)) {
            ps.setString(1, serial);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new DeviceIdentity(rs.getLong(1), rs.getString(2), rs.getLong(3),
                        rs.getBytes(4), rs.getBytes(5), rs.getBoolean(6)));
            }
        }
    }

    private interface RowMapper {
        JsonObject map(ResultSet rs) throws SQLException;
    }

    private Optional<JsonObject> one(String sql, long id, RowMapper mapper) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty();
            }
        }
    }

    private static List<JsonObject> all(PreparedStatement ps, RowMapper mapper) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            List<JsonObject> rows = new java.util.ArrayList<>();
            while (rs.next()) {
                rows.add(mapper.map(rs));
            }
            return rows;
        }
    }

    private static JsonObject doctor(ResultSet rs) throws SQLException {
        return new JsonObject()
                .put("id", rs.getLong(1))
                .put("name", rs.getString(2))
                .put("institution", rs.getString(3))
                .put("tier", rs.getString(4))
                .put("createdAt", rs.getTimestamp(5).toInstant().toString());
    }

    private static JsonObject patient(ResultSet rs) throws SQLException {
        Array conditions = rs.getArray(4);
        return new JsonObject()
                .put("id", rs.getLong(1))
                .put("name", rs.getString(2))
                .put("doctorId", rs.getLong(3))
                .put("conditions", new JsonArray(List.of((Object[]) conditions.getArray())))
                .put("createdAt", rs.getTimestamp(5).toInstant().toString());
    }

    private static JsonObject device(ResultSet rs) throws SQLException {
        JsonObject json = new JsonObject()
                .put("id", rs.getLong(1))
                .put("serial", rs.getString(2))
                .put("type", rs.getString(3))
                .put("patientId", rs.getLong(4))
                .put("createdAt", rs.getTimestamp(5).toInstant().toString());
        java.sql.Timestamp revokedAt = rs.getTimestamp(6);
        if (revokedAt != null) {
            json.put("revokedAt", revokedAt.toInstant().toString());
        }
        return json;
    }
}
