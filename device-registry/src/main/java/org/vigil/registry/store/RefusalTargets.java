package org.vigil.registry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Tells a 404 for a record that does not exist from one that exists outside the doctor's scope, which is probing
 * (or a mistake) worth recording. Asked only after a doctor got a 404, never on the way to an answer. Blocking.
 */
public final class RefusalTargets {

    /** A record that exists, and the patient it concerns ({@code null} when it concerns none, or none now). */
    public record Found(Long patientId) {
    }

    /** By the first path segment under {@code /api/v1}: the record's kind and how to find its patient. */
    private static final Map<String, String> FIND = Map.of(
            "patients", "SELECT id FROM patient WHERE id = ?",
            "alerts", "SELECT patient_id FROM alert WHERE id = ?",
            "devices", """
                    SELECT (SELECT b.patient_id FROM device_binding b WHERE b.device_id = d.id AND b.valid_to IS NULL
                            ORDER BY b.valid_from DESC LIMIT 1)
                      FROM device d WHERE d.id = ?""",
            "doctors", "SELECT NULL::bigint FROM doctor WHERE id = ?");

    private final DataSource dataSource;

    public RefusalTargets(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Whether a kind of record ({@code patients}, {@code alerts}, {@code devices}, {@code doctors}) is probed here. */
    public static boolean covers(String collection) {
        return FIND.containsKey(collection);
    }

    /** The record of that collection and id, when it exists. */
    public Optional<Found> find(String collection, long id) throws SQLException {
        String sql = FIND.get(collection);
        if (sql == null) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long patientId = rs.getLong(1);
                return Optional.of(new Found(rs.wasNull() ? null : patientId));
            }
        }
    }
}
