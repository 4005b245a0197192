package org.vigil.alerting.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/** Alert transitions and the webhook outbox rows written with them, against a real PostgreSQL. */
@Timeout(60)
class WebhookOutboxIT {

    @RegisterExtension
    static final StoreDatabase db = new StoreDatabase();

    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");
    private static final long T0 = NOW.minus(Duration.ofHours(1)).toEpochMilli();

    private record Row(long id, long organisationId, long alertId, String event, JsonObject body) {
    }

    private static AlertSignal signal(long patient, Kind kind, double value) {
        return new AlertSignal(patient, "blood_pressure_high", kind, Severity.WARNING, Metric.SYSTOLIC_BP, value, value,
                T0, false, "systolic " + value, 1, 0);
    }

    private static void webhook(long organisation) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO organisation_webhook (organisation_id, url, secret, created_at, updated_at)
                VALUES (?, 'http://127.0.0.1:9/hook', 'a-secret-of-sixteen', now(), now())""")) {
            ps.setLong(1, organisation);
            ps.executeUpdate();
        }
    }

    private static List<Row> outbox(long alertId) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, organisation_id, alert_id, event, body FROM webhook_outbox WHERE alert_id = ? ORDER BY id")) {
            ps.setLong(1, alertId);
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
                            new JsonObject(rs.getString(5))));
                }
            }
            return rows;
        }
    }

    /** Verifies that each transition reaches the village and the county with webhooks, not the township without. */
    @Test
    void everyTransitionIsEnqueuedForEachOrganisationOnThePathThatHasAWebhook() throws Exception {
        long county = db.tree.organisation("County", "county", null);
        long township = db.tree.organisation("Township", "township", county);
        long village = db.tree.organisation("Village", "village", township);
        webhook(county);
        webhook(village);
        long doctor = db.tree.doctor("Dr V", village);
        long patient = db.tree.patient("P", db.tree.team("Village team", village, doctor), doctor, "hypertension");

        JsonObject opened = db.signals.apply(List.of(signal(patient, Kind.OPEN, 165)), NOW).get(0).alert();
        long alertId = opened.getLong("id");
        assertThat(opened.getLong("organisationId")).isEqualTo(village);
        db.actions.acknowledge(alertId, "dr.v", NOW);
        db.actions.resolve(alertId, "dr.v", "contacted_patient", null, NOW);

        List<Row> rows = outbox(alertId);
        assertThat(rows).extracting(Row::organisationId).containsOnly(county, village);
        for (long organisation : List.of(county, village)) {
            assertThat(rows.stream().filter(r -> r.organisationId() == organisation).map(Row::event))
                    .containsExactly("alert.opened", "alert.acknowledged", "alert.resolved");
        }
        for (Row row : rows) {
            assertThat(row.body().fieldNames()).containsExactly("deliveryId", "event", "alert");
            assertThat(row.body().getLong("deliveryId")).isEqualTo(row.id());
            assertThat(row.body().getString("event")).isEqualTo(row.event());
            assertThat(row.body().getJsonObject("alert").getLong("id")).isEqualTo(alertId);
        }
        Row openedRow = rows.get(0);
        assertThat(openedRow.body().getJsonObject("alert")).as("the alert exactly as the store returned it")
                .isEqualTo(opened);
        assertThat(rows.get(rows.size() - 1).body().getJsonObject("alert").getString("status")).isEqualTo("resolved");
    }

    /** Verifies that an alert routed to no organisation, or to one without webhooks above it, enqueues nothing. */
    @Test
    void nothingIsEnqueuedWithoutAContractOrWithoutAWebhookOnThePath() throws Exception {
        long orphan = db.tree.patientWithoutContract("No contract", "hypertension");
        JsonObject unrouted = db.signals.apply(List.of(signal(orphan, Kind.OPEN, 166)), NOW).get(0).alert();
        assertThat(unrouted.getValue("organisationId")).isNull();
        assertThat(outbox(unrouted.getLong("id"))).isEmpty();

        long county = db.tree.organisation("Quiet county", "county", null);
        long village = db.tree.organisation("Quiet village", "village", db.tree.organisation("Quiet township", "township", county));
        long doctor = db.tree.doctor("Dr Q", village);
        long patient = db.tree.patient("Q", db.tree.team("Quiet team", village, doctor), doctor, "hypertension");
        JsonObject quiet = db.signals.apply(List.of(signal(patient, Kind.OPEN, 167)), NOW).get(0).alert();
        assertThat(outbox(quiet.getLong("id"))).isEmpty();
    }

    /** Verifies that removing a webhook removes its queue and stops further rows for that organisation. */
    @Test
    void removingAWebhookRemovesItsQueue() throws Exception {
        long village = db.tree.organisation("Removed village", "village", null);
        webhook(village);
        long doctor = db.tree.doctor("Dr R", village);
        long patient = db.tree.patient("R", db.tree.team("Removed team", village, doctor), doctor, "hypertension");
        long alertId = db.signals.apply(List.of(signal(patient, Kind.OPEN, 168)), NOW).get(0).alert().getLong("id");
        assertThat(outbox(alertId)).hasSize(1);

        try (Connection c = db.connection();
                PreparedStatement ps = c.prepareStatement("DELETE FROM organisation_webhook WHERE organisation_id = ?")) {
            ps.setLong(1, village);
            ps.executeUpdate();
        }
        assertThat(outbox(alertId)).isEmpty();
        db.actions.acknowledge(alertId, "dr.r", NOW);
        assertThat(outbox(alertId)).isEmpty();
    }
}
