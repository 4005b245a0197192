package org.vigil.alerting.store;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * Enqueues webhook deliveries of an alert transition inside the transaction that records the transition, so
 * a committed transition always has its deliveries and a rolled-back one has none: nothing is lost when the
 * process dies after the commit, and nothing is announced that did not happen.
 *
 * <p>One row goes to every organisation on the path of the alert's organisation (the village clinic, its
 * township, its county) that has a webhook. The body is the exact JSON sent,
 * {@code {"deliveryId", "event", "alert"}}, with the outbox id as {@code deliveryId}.
 *
 * <p><b>Order.</b> The dispatcher delivers an organisation's rows in id order, and ids come from one sequence,
 * so a transaction could take id 10, another id 11 and commit first. To rule out delivering 11 before 10 the
 * enqueuer takes a {@code FOR KEY SHARE} lock on each target webhook row <em>before</em> taking ids, and holds
 * it until commit. Enqueuers never wait for each other (shared locks), nor for the dispatcher's lease updates
 * (which change non-key columns only). The dispatcher claims an organisation with {@code FOR UPDATE SKIP
 * LOCKED}, which it gets only while no enqueuer of that organisation is in flight; then every id of that
 * organisation taken so far is committed or rolled back, and any id taken later is larger. What it reads
 * under that lock is therefore a complete prefix of the queue. Removing a webhook waits for enqueuers in flight;
 * an enqueuer that comes after it finds no webhook and enqueues nothing.
 */
public final class WebhookOutbox {

    /**
     * The webhooks on the organisation's path, each with a fresh outbox id taken after its row is locked (the
     * CTE is materialised, so every lock is held before the first {@code nextval}).
     */
    private static final String TARGETS = """
            WITH targets AS MATERIALIZED (
                SELECT w.organisation_id
                  FROM registry_organisation o
                  JOIN organisation_webhook w
                    ON w.organisation_id = ANY (string_to_array(trim(BOTH '/' FROM o.path), '/')::bigint[])
                 WHERE o.id = ?
                   FOR KEY SHARE OF w)
            SELECT organisation_id, nextval(pg_get_serial_sequence('webhook_outbox', 'id')) FROM targets""";
    private static final String INSERT = """
            INSERT INTO webhook_outbox (id, organisation_id, alert_id, event, body, created_at, next_attempt_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)""";

    private WebhookOutbox() {
    }

    /** The webhook event of a transition: the same name the live feed uses ({@code alert.opened}, ...). */
    public static String event(AlertChange.Kind kind) {
        return "alert." + kind.wireName();
    }

    /**
     * Enqueues the transition for every organisation on the alert's organisation path with a webhook. Call
     * inside the transaction that writes the transition row.
     *
     * @param alert the alert as the alert stores return it after the transition
     * @return how many deliveries were enqueued
     */
    public static int enqueue(Connection c, AlertChange.Kind kind, JsonObject alert, Timestamp at)
            throws SQLException {
        Long organisationId = alert.getLong("organisationId");
        if (organisationId == null) {
            // No contract when the alert opened: routed to nobody, announced to no organisation.
            return 0;
        }
        List<long[]> targets = new ArrayList<>(3);
        try (PreparedStatement ps = c.prepareStatement(TARGETS)) {
            ps.setLong(1, organisationId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    targets.add(new long[] {rs.getLong(1), rs.getLong(2)});
                }
            }
        }
        if (targets.isEmpty()) {
            return 0;
        }
        String event = event(kind);
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (long[] target : targets) {
                long id = target[1];
                String body = new JsonObject().put("deliveryId", id).put("event", event).put("alert", alert).encode();
                ps.setLong(1, id);
                ps.setLong(2, target[0]);
                ps.setLong(3, alert.getLong("id"));
                ps.setString(4, event);
                ps.setString(5, body);
                ps.setTimestamp(6, at);
                ps.setTimestamp(7, at);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return targets.size();
    }
}
