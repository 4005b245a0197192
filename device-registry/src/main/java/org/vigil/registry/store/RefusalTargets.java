package org.vigil.registry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
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

    /**
     * The registry's own records, by the first path segment under {@code /api/v1}: how to find each one's patient.
     * Records of other modules come with their own SQL through the constructor.
     */
    private static final Map<String, String> OWN = Map.of(
            "patients", "SELECT id FROM patient WHERE id = ?",
            "devices", """
                    SELECT (SELECT b.patient_id FROM device_binding b WHERE b.device_id = d.id AND b.valid_to IS NULL
                            ORDER BY b.valid_from DESC LIMIT 1)
                      FROM device d WHERE d.id = ?""",
            "doctors", "SELECT NULL::bigint FROM doctor WHERE id = ?");

    private final DataSource dataSource;
    private final Map<String, String> find;

    /** The registry's own records only. */
    public RefusalTargets(DataSource dataSource) {
        this(dataSource, Map.of());
    }

    /**
     * @param others lookups for the records of other modules (alerting's {@code alerts}), each a query of the
     *               owning module that takes the record's id and returns its patient's: the registry never names
     *               another module's tables (docs/architecture.md, "Module boundaries")
     */
    public RefusalTargets(DataSource dataSource, Map<String, String> others) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        Map<String, String> all = new HashMap<>(OWN);
        others.forEach((collection, sql) -> {
            if (all.putIfAbsent(collection, Objects.requireNonNull(sql, collection)) != null) {
                throw new IllegalArgumentException("records of " + collection + " are the registry's own");
            }
        });
        this.find = Map.copyOf(all);
    }

    /** Whether a kind of record ({@code patients}, {@code alerts}, {@code devices}, {@code doctors}) is probed here. */
    public boolean covers(String collection) {
        return find.containsKey(collection);
    }

    /** The record of that collection and id, when it exists. */
    public Optional<Found> find(String collection, long id) throws SQLException {
        String sql = find.get(collection);
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
