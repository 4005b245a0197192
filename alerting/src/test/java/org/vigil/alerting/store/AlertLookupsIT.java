package org.vigil.alerting.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.registry.store.RefusalTargets;

/**
 * Verifies that the registry's refusal audit finds an alert's patient through alerting's own lookup, as the
 * launcher wires it, and knows nothing of alerts without it.
 */
@Timeout(60)
class AlertLookupsIT {

    @RegisterExtension
    static final StoreDatabase db = new StoreDatabase();

    private static long patient;
    private static long alert;

    @BeforeAll
    static void storeOneAlert() throws Exception {
        long village = db.tree.organisation("Village", "village", null);
        long doctor = db.tree.doctor("Dr V", village);
        long team = db.tree.team("Team", village, doctor);
        patient = db.tree.patient("P", team, doctor, "hypertension");
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("""
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

    @Test
    void anAlertsPatientIsFoundWithAlertingsQuery() throws Exception {
        RefusalTargets targets = new RefusalTargets(db.database.dataSource(), AlertLookups.REFUSAL_TARGETS);

        assertThat(targets.covers("alerts")).isTrue();
        assertThat(targets.find("alerts", alert)).contains(new RefusalTargets.Found(patient));
        assertThat(targets.find("alerts", alert + 1000)).isEmpty();
        assertThat(targets.find("patients", patient)).as("the registry's own records still")
                .contains(new RefusalTargets.Found(patient));
    }

    @Test
    void withoutItTheRegistryKnowsOnlyItsOwnRecords() {
        RefusalTargets registryOnly = new RefusalTargets(db.database.dataSource());

        assertThat(registryOnly.covers("alerts")).isFalse();
        assertThat(registryOnly.covers("patients")).isTrue();
        assertThatThrownBy(() -> new RefusalTargets(db.database.dataSource(), Map.of("patients", "SELECT 1")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
