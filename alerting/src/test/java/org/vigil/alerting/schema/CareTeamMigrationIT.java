package org.vigil.alerting.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;
import org.vigil.common.db.Database;
import org.vigil.common.db.DatabaseConfig;
import org.vigil.common.testing.TestPostgres;

/**
 * A database of the first release (doctors with an institution, patients with a doctor, devices with a patient)
 * carried over to the care-team registry: nobody loses a doctor, a contract or a device binding on upgrade.
 *
 * <p>Here rather than in the registry because the upgrade spans both schemas: registry's V7 moves the alerts of
 * alerting's V3 and V5 to organisations, and only this module sees both (the registry is on its test classpath).
 */
class CareTeamMigrationIT {

    @Test
    void existingDoctorsPatientsDevicesAndAlertsAreCarriedOver() throws Exception {
        DatabaseConfig db = TestPostgres.newDatabase();
        String url = db.url().orElseThrow();
        try (Connection c = DriverManager.getConnection(url, db.user(), db.password()); Statement s = c.createStatement()) {
            flyway(url, db, "6").migrate();
            s.execute("INSERT INTO doctor (name, institution, tier) VALUES ('Dr Li', 'Shiqiao clinic', 'village'),"
                    + " ('Dr Wang', 'Shiqiao clinic', 'village'), ('Dr Zhao', 'Town centre', 'township')");
            s.execute("INSERT INTO patient (name, doctor_id, conditions) VALUES ('P1', 1, '{hypertension}'), ('P2', 3, '{}')");
            s.execute("INSERT INTO device (serial, type, patient_id, secret_salt, secret_hash) VALUES"
                    + " ('BP-1', 'bp_monitor', 1, '\\x00', '\\x00')");
            s.execute("INSERT INTO alert (patient_id, doctor_id, rule, severity, status, metric, value, measured_at,"
                    + " opened_at, last_value, last_measured_at, updated_at, worst_value)"
                    + " VALUES (1, 1, 'r', 'critical', 'open', 1, 190, now(), now(), 190, now(), now(), 190)");

            flyway(url, db, "latest").migrate();

            assertThat(one(s, "SELECT count(*) FROM organisation")).as("one per institution").isEqualTo(2);
            assertThat(one(s, "SELECT count(DISTINCT organisation_id) FROM doctor WHERE id IN (1, 2)")).isEqualTo(1);
            assertThat(one(s, "SELECT count(*) FROM team_member")).isEqualTo(3);
            assertThat(one(s, "SELECT doctor_id FROM contract WHERE patient_id = 1 AND valid_to IS NULL")).isEqualTo(1);
            assertThat(one(s, "SELECT doctor_id FROM contract WHERE patient_id = 2 AND valid_to IS NULL")).isEqualTo(3);
            assertThat(one(s, "SELECT patient_id FROM device_binding WHERE device_id = 1 AND valid_to IS NULL")).isEqualTo(1);
            assertThat(one(s, "SELECT count(*) FROM alert WHERE organisation_id IS NOT NULL")).isEqualTo(1);
            assertThat(one(s, "SELECT count(*) FROM patient WHERE doctor_sees_patient(1, id)"))
                    .as("Dr Li sees her patient; her colleague's team covers it too").isEqualTo(1);
            assertThat(one(s, "SELECT count(*) FROM patient WHERE doctor_sees_patient(2, id)")).isEqualTo(1);
        }
    }

    private static Flyway flyway(String url, DatabaseConfig db, String target) {
        return Flyway.configure().dataSource(url, db.user(), db.password())
                .locations(Database.MIGRATIONS)
                .placeholders(Map.of("timescale", "off"))
                .target(MigrationVersion.fromVersion(target))
                .load();
    }

    private static long one(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
