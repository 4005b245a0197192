package org.vigil.alerting.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.alerting.testing.CareTree;
import org.vigil.common.db.Database;
import org.vigil.common.testing.TestPostgres;
import org.vigil.registry.store.RefusalTargets;

/**
 * Verifies that the registry's refusal audit finds an alert's patient through alerting's own lookup, as the
 * launcher wires it, and knows nothing of alerts without it.
 */
@Timeout(60)
class AlertLookupsIT {

    private static Database database;
    private static long patient;
    private static long alert;

    @BeforeAll
    static void openDatabase() throws Exception {
        database = Database.open(TestPostgres.newDatabase());
        CareTree tree = new CareTree(database.dataSource());
        long village = tree.organisation("Village", "village", null);
        long doctor = tree.doctor("Dr V", village);
        long team = tree.team("Team", village, doctor);
        patient = tree.patient("P", team, doctor, "hypertension");
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO alert (patient_id, doctor_id, rule, severity, status, metric, value, measured_at,
                                   opened_at, last_value, last_measured_at, updated_at, worst_value)
                VALUES (?, ?, 'r', 'critical', 'open', 1, 190, now(), now(), 190, now(), now(), 190)
                RETURNING id""")) {
            ps.setLong(1, patient);
            ps.setLong(2, doctor);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                alert = rs.getLong(1);
            }
        }
    }

    @AfterAll
    static void closeDatabase() {
        database.close();
    }

    @Test
    void anAlertsPatientIsFoundWithAlertingsQuery() throws Exception {
        RefusalTargets targets = new RefusalTargets(database.dataSource(), AlertLookups.REFUSAL_TARGETS);

        assertThat(targets.covers("alerts")).isTrue();
        assertThat(targets.find("alerts", alert)).contains(new RefusalTargets.Found(patient));
        assertThat(targets.find("alerts", alert + 1000)).isEmpty();
        assertThat(targets.find("patients", patient)).as("the registry's own records still")
                .contains(new RefusalTargets.Found(patient));
    }

    @Test
    void withoutItTheRegistryKnowsOnlyItsOwnRecords() {
        RefusalTargets registryOnly = new RefusalTargets(database.dataSource());

        assertThat(registryOnly.covers("alerts")).isFalse();
        assertThat(registryOnly.covers("patients")).isTrue();
        assertThatThrownBy(() -> new RefusalTargets(database.dataSource(), Map.of("patients", "SELECT 1")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
