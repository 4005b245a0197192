package org.vigil.alerting.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/** The dispatcher's side of the outbox against a real PostgreSQL: claims, leases, results, purging. */
@Timeout(60)
class WebhookStoreIT {

    @RegisterExtension
    static final StoreDatabase db = new StoreDatabase();

    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(40);

    /** A village with a webhook and one patient under contract there; returns {village, patient}. */
    private static long[] villageWithWebhook(String name) throws SQLException {
        long village = db.tree.organisation(name, "village", null);
        long doctor = db.tree.doctor("Dr " + name, village);
        long patient = db.tree.patient("P " + name, db.tree.team(name + " team", village, doctor), doctor, "hypertension");
        db.webhooks.put(village, "http://127.0.0.1:9/" + name, "secret-of-" + name + "-0123456789", NOW);
        return new long[] {village, patient};
    }

    private static JsonObject open(long patient) throws SQLException {
        return db.signals.apply(List.of(new AlertSignal(patient, "blood_pressure_high", Kind.OPEN, Severity.WARNING,
                Metric.SYSTOLIC_BP, 165, 165, NOW.toEpochMilli() - 60_000, false, "systolic 165", 1, 0)), NOW).get(0).alert();
    }

    private static List<WebhookStore.Claim> claims(String owner, Instant now, long organisation) throws SQLException {
        return db.webhooks.claim(owner, now, now.plus(LEASE), 100, 100).stream()
                .filter(c -> c.organisationId() == organisation).toList();
    }

    /**
     * Verifies the ordering protocol: while a transaction that took outbox ids for an organisation is open, the
     * organisation cannot be claimed, so a later id can never be delivered before an earlier one commits.
     */
    @Test
    void aQueueWithAnEnqueuerInFlightIsClaimedOnlyAfterItCommits() throws Exception {
        long[] v = villageWithWebhook("Inflight");
        JsonObject alert = open(v[1]);
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            assertThat(WebhookOutbox.enqueue(c, AlertChange.Kind.ACKNOWLEDGED, alert, Timestamp.from(NOW))).isEqualTo(1);
            assertThat(claims("node-a", NOW, v[0])).as("skipped while an enqueuer is in flight").isEmpty();
            c.commit();
        }
        List<WebhookStore.Claim> claimed = claims("node-a", NOW, v[0]);
        assertThat(claimed).hasSize(1);
        assertThat(claimed.get(0).rows()).extracting(WebhookStore.Pending::event)
                .containsExactly("alert.opened", "alert.acknowledged");
        assertThat(claimed.get(0).secret()).isEqualTo("secret-of-Inflight-0123456789");
        db.webhooks.release("node-a", v[0]);
    }

    /** Verifies that a lease keeps other owners out until it runs out, and that a lost lease is reported. */
    @Test
    void aLeasedQueueBelongsToItsOwnerUntilTheLeaseRunsOut() throws Exception {
        long[] v = villageWithWebhook("Leased");
        open(v[1]);
        WebhookStore.Claim mine = claims("node-a", NOW, v[0]).get(0);
        assertThat(claims("node-b", NOW.plusSeconds(10), v[0])).isEmpty();
        assertThat(db.webhooks.delivered("node-a", v[0], mine.rows().get(0).id(), NOW.plusSeconds(1), NOW.plus(LEASE)))
                .as("renewed").isTrue();

        long second = open(db.tree.patient("P Leased 2", teamOf(v[0]), doctorOf(v[0]), "hypertension")).getLong("id");
        Instant expired = NOW.plus(LEASE).plusSeconds(2);
        List<WebhookStore.Claim> taken = claims("node-b", expired, v[0]);
        assertThat(taken).hasSize(1);
        assertThat(taken.get(0).rows()).extracting(WebhookStore.Pending::body)
                .allSatisfy(body -> assertThat(new JsonObject(body).getJsonObject("alert").getLong("id")).isEqualTo(second));
        WebhookStore.Pending head = taken.get(0).rows().get(0);
        db.webhooks.failed("node-a", head.id(), expired.plusSeconds(60), "late result of a node that lost its lease");
        assertThat(db.webhooks.webhook(v[0]).containsKey("lastError")).as("the old owner cannot reschedule").isFalse();
        db.webhooks.failed("node-b", head.id(), expired.plusSeconds(1), "HTTP 503");
        JsonObject view = db.webhooks.webhook(v[0]);
        assertThat(view.getString("lastError")).isEqualTo("HTTP 503");
        assertThat(view.getInteger("attempts")).isEqualTo(1);
        assertThat(view.getLong("backlog")).isEqualTo(1);
        db.webhooks.release("node-b", v[0]);
        assertThat(claims("node-b", expired, v[0])).as("the head is not due yet").isEmpty();
        assertThat(claims("node-b", expired.plusSeconds(1), v[0])).hasSize(1);
        db.webhooks.release("node-b", v[0]);
    }

    /** Verifies that setting a webhook again makes its failing head due at once. */
    @Test
    void changingTheAddressRetriesAtOnce() throws Exception {
        long[] v = villageWithWebhook("Moved");
        open(v[1]);
        WebhookStore.Claim claim = claims("node-a", NOW, v[0]).get(0);
        db.webhooks.failed("node-a", claim.rows().get(0).id(), NOW.plus(Duration.ofMinutes(5)), "HTTP 404");
        db.webhooks.release("node-a", v[0]);
        assertThat(claims("node-a", NOW.plusSeconds(1), v[0])).isEmpty();
        db.webhooks.put(v[0], "https://clinic.example/vigil", "another-secret-0123456789", NOW.plusSeconds(1));
        List<WebhookStore.Claim> again = claims("node-a", NOW.plusSeconds(1), v[0]);
        assertThat(again).extracting(WebhookStore.Claim::url).containsExactly("https://clinic.example/vigil");
        db.webhooks.release("node-a", v[0]);
    }

    /** Verifies that delivered rows older than the retention are purged and undelivered ones never are. */
    @Test
    void purgingRemovesOnlyOldDeliveredRows() throws Exception {
        long[] v = villageWithWebhook("Purged");
        open(v[1]);
        open(db.tree.patient("P Purged 2", teamOf(v[0]), doctorOf(v[0]), "hypertension"));
        WebhookStore.Claim claim = claims("node-a", NOW, v[0]).get(0);
        db.webhooks.delivered("node-a", v[0], claim.rows().get(0).id(), NOW, NOW.plus(LEASE));
        db.webhooks.release("node-a", v[0]);
        long before = db.webhooks.backlog();
        assertThat(db.webhooks.purge(NOW, 100)).as("not older than the cut-off").isZero();
        assertThat(db.webhooks.purge(NOW.plusSeconds(1), 100)).isEqualTo(1);
        assertThat(db.webhooks.backlog()).isEqualTo(before);
        assertThat(db.webhooks.webhook(v[0]).getLong("backlog")).isEqualTo(1);
    }

    private static long teamOf(long organisation) throws SQLException {
        return single("SELECT id FROM team WHERE organisation_id = ?", organisation);
    }

    private static long doctorOf(long organisation) throws SQLException {
        return single("SELECT id FROM doctor WHERE organisation_id = ?", organisation);
    }

    private static long single(String sql, long param) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
