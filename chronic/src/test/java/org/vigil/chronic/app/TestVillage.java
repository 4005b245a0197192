package org.vigil.chronic.app;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import javax.sql.DataSource;

/** A village clinic with one doctor and her team (ids 1), and the patients a test puts under their contract. */
final class TestVillage {

    private TestVillage() {
    }

    /**
     * @param patients   {@code (id, name, conditions)} rows for {@code INSERT INTO patient}
     * @param contracted the ids of the patients under the team's contract since 2025
     */
    static void seed(DataSource dataSource, String patients, long... contracted) throws SQLException {
        StringBuilder contracts = new StringBuilder();
        for (long id : contracted) {
            contracts.append(contracts.isEmpty() ? "" : ", ").append("(").append(id).append(", 1, 1, '2025-01-01', 't')");
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO organisation (id, name, tier, parent_id, path) OVERRIDING SYSTEM VALUE VALUES
                        (1, 'Village', 'village', NULL, '/1/');
                    INSERT INTO doctor (id, name, organisation_id) OVERRIDING SYSTEM VALUE VALUES (1, 'Dr A', 1);
                    INSERT INTO team (id, name, organisation_id) OVERRIDING SYSTEM VALUE VALUES (1, 'Team A', 1);
                    INSERT INTO patient (id, name, conditions) OVERRIDING SYSTEM VALUE VALUES\s""" + patients + ";\n"
                    + "INSERT INTO contract (patient_id, team_id, doctor_id, valid_from, created_by) VALUES "
                    + contracts);
        }
    }

    /** Stores a reading of device 1 as ingest would; {@code context} is the glucose context code, or null. */
    static void reading(DataSource dataSource, long patient, int metric, Instant ts, double value, Integer context)
            throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO reading (patient_id, metric, ts, device_id, value, context) VALUES (?, ?, ?, 1, ?, ?)")) {
            ps.setLong(1, patient);
            ps.setShort(2, (short) metric);
            ps.setTimestamp(3, Timestamp.from(ts));
            ps.setDouble(4, value);
            ps.setObject(5, context == null ? null : context.shortValue(), Types.SMALLINT);
            ps.executeUpdate();
        }
    }
}
