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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.alerting.testing.CareTree;
import org.vigil.common.db.Database;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;
import org.vigil.common.testing.TestPostgres;

/** Alert transitions and the webhook outbox rows written with them, against a real PostgreSQL. */
@Timeout(60)
class WebhookOutboxIT {

    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");
    private static final long T0 = NOW.minus(Duration.ofHours(1)).toEpochMilli();

    private static Database database;
    private static AlertSignalStore signals;
    private static AlertActions actions;
    private static CareTree tree;

    private record Row(long id, long organisationId, long alertId, String event, JsonObject body) {
    }

    @BeforeAll
    static void openDatabase() {
        database = Database.open(TestPostgres.newDatabase());
        signals = new AlertSignalStore(database.dataSource());
        actions = new AlertActions(database.dataSource());
        tree = new CareTree(database.dataSource());
    }

    @AfterAll
    static void closeDatabase() {
        database.close();
    }

    private static AlertSignal signal(long patient, Kind kind, double value) {
        return new AlertSignal(patient, "blood_pressure_high", kind, Severity.WARNING, Metric.SYSTOLIC_BP, value, value,
                T0, false, "systolic " + value, 1, 0);
    }

    private static void webhook(long organisation) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO organisation_webhook (organisation_id, url, secret, created_at, updated_at)
                VALUES (?, 'http://127.0.0.1:9/hook', 'a-secret-of-sixteen', now(), now())""")) {
            ps.setLong(1, organisation);
            ps.executeUpdate();
        }
    }

    private static List<Row> outbox(long alertId) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
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
        long county = tree.organisation("County", "county", null);
        long township = tree.organisation("Township", "township", county);
        long village = tree.organisation("Village", "village", township);
        webhook(county);
        webhook(village);
        long doctor = tree.doctor("Dr V", village);
        long patient = tree.patient("P", tree.team("Village team", village, doctor), doctor, "hypertension");

        JsonObject opened = signals.apply(List.of(signal(patient, Kind.OPEN, 165)), NOW).get(0).alert();
        long alertId = opened.getLong("id");
        assertThat(opened.getLong("organisationId")).isEqualTo(village);
        actions.acknowledge(alertId, "dr.v", NOW);
        actions.resolve(alertId, "dr.v", "contacted_patient", null, NOW);

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
        long orphan = tree.patientWithoutContract("No contract", "hypertension");
        JsonObject unrouted = signals.apply(List.of(signal(orphan, Kind.OPEN, 166)), NOW).get(0).alert();
        assertThat(unrouted.getValue("organisationId")).isNull();
        assertThat(outbox(unrouted.getLong("id"))).isEmpty();

        long county = tree.organisation("Quiet county", "county", null);
        long village = tree.organisation("Quiet village", "village", tree.organisation("Quiet township", "township", county));
        long doctor = tree.doctor("Dr Q", village);
        long patient = tree.patient("Q", tree.team("Quiet team", village, doctor), doctor, "hypertension");
        JsonObject quiet = signals.apply(List.of(signal(patient, Kind.OPEN, 167)), NOW).get(0).alert();
        assertThat(outbox(quiet.getLong("id"))).isEmpty();
    }

    /** Verifies that removing a webhook removes its queue and stops further rows for that organisation. */
    @Test
    void removingAWebhookRemovesItsQueue() throws Exception {
        long village = tree.organisation("Removed village", "village", null);
        webhook(village);
        long doctor = tree.doctor("Dr R", village);
        long patient = tree.patient("R", tree.team("Removed team", village, doctor), doctor, "hypertension");
        long alertId = signals.apply(List.of(signal(patient, Kind.OPEN, 168)), NOW).get(0).alert().getLong("id");
        assertThat(outbox(alertId)).hasSize(1);

        try (Connection c = database.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("DELETE FROM organisation_webhook WHERE organisation_id = ?")) {
            ps.setLong(1, village);
            ps.executeUpdate();
        }
        assertThat(outbox(alertId)).isEmpty();
        actions.acknowledge(alertId, "dr.r", NOW);
        assertThat(outbox(alertId)).isEmpty();
    }
}
