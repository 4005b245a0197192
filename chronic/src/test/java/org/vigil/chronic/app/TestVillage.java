package org.vigil.chronic.app;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
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
}
