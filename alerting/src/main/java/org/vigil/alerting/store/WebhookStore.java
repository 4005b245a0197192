package org.vigil.alerting.store;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.vigil.common.db.Transactions;

/**
 * Organisations' webhooks and the dispatcher's side of the outbox ({@link WebhookOutbox} is the enqueuing side).
 *
 * <p><b>Claiming.</b> A dispatcher takes an organisation's queue by setting a lease ({@code lease_owner},
 * {@code lease_until}) on its webhook row, chosen with {@code FOR UPDATE SKIP LOCKED}: two dispatchers never
 * deliver the same queue at once, and no database connection or lock is held while a receiver is being called.
 * The rows are read under that row lock, which excludes enqueuers in flight, so they are a complete prefix of the
 * queue (see {@link WebhookOutbox}). Each recorded result renews the lease; a dispatcher that dies leaves the
 * queue to others when the lease runs out. Blocking: call from a worker.
 */
public final class WebhookStore {

    /** An undelivered row, with the attempts made so far. */
    public record Pending(long id, String event, String body, int attempts) {
    }

    /** An organisation's queue, claimed: where to send, with which secret, and its first undelivered rows in order. */
    public record Claim(long organisationId, String url, String secret, List<Pending> rows) {
    }

    /** The webhook of an organisation as the API shows it: never the secret. */
    private static final String VIEW = """
            SELECT w.organisation_id, w.url, w.created_at, w.updated_at,
                   (SELECT count(*) FROM webhook_outbox o
                     WHERE o.organisation_id = w.organisation_id AND o.delivered_at IS NULL) AS backlog,
                   head.attempts, head.next_attempt_at, head.last_error
              FROM organisation_webhook w
              LEFT JOIN LATERAL (SELECT o.attempts, o.next_attempt_at, o.last_error FROM webhook_outbox o
                                  WHERE o.organisation_id = w.organisation_id AND o.delivered_at IS NULL
                                  ORDER BY o.id LIMIT 1) head ON true
             WHERE w.organisation_id = ?""";
    private static final String ORGANISATION_EXISTS = "SELECT 1 FROM registry_organisation WHERE id = ?";
    private static final String UPSERT = """
            INSERT INTO organisation_webhook (organisation_id, url, secret, created_at, updated_at)
            SELECT o.id, ?, ?, ?, ? FROM registry_organisation o WHERE o.id = ?
            ON CONFLICT (organisation_id) DO UPDATE
               SET url = EXCLUDED.url, secret = EXCLUDED.secret, updated_at = EXCLUDED.updated_at""";
    /** A changed webhook is tried at once: waiting out a backoff earned by the old address helps nobody. */
    private static final String RETRY_NOW = """
            UPDATE webhook_outbox SET next_attempt_at = ?
             WHERE organisation_id = ? AND delivered_at IS NULL AND next_attempt_at > ?""";
    private static final String DELETE = "DELETE FROM organisation_webhook WHERE organisation_id = ?";

    /** Organisations whose queue head is due and whose lease is free, oldest due first. */
    private static final String CLAIMABLE = """
            SELECT w.organisation_id, w.url, w.secret
              FROM organisation_webhook w
              CROSS JOIN LATERAL (SELECT o.next_attempt_at FROM webhook_outbox o
                                   WHERE o.organisation_id = w.organisation_id AND o.delivered_at IS NULL
                                   ORDER BY o.id LIMIT 1) head
             WHERE (w.lease_until IS NULL OR w.lease_until <= ?) AND head.next_attempt_at <= ?
             ORDER BY head.next_attempt_at
             LIMIT ?
               FOR UPDATE OF w SKIP LOCKED""";
    private static final String LEASE = """
            UPDATE organisation_webhook SET lease_owner = ?, lease_until = ? WHERE organisation_id = ?""";
    private static final String QUEUE = """
            SELECT id, event, body, attempts FROM webhook_outbox
             WHERE organisation_id = ? AND delivered_at IS NULL
             ORDER BY id LIMIT ?""";
    /** A delivered row stays delivered even if the lease was lost meanwhile: it was delivered. */
    private static final String DELIVERED = """
            WITH done AS (UPDATE webhook_outbox SET delivered_at = ?, attempts = attempts + 1
                           WHERE id = ? AND delivered_at IS NULL)
            UPDATE organisation_webhook SET lease_until = ? WHERE organisation_id = ? AND lease_owner = ?""";
    /** A failure reschedules the row only while the lease is ours; otherwise another node owns the schedule. */
    private static final String FAILED = """
            UPDATE webhook_outbox o SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
             WHERE o.id = ? AND o.delivered_at IS NULL
               AND EXISTS (SELECT 1 FROM organisation_webhook w
                            WHERE w.organisation_id = o.organisation_id AND w.lease_owner = ?)""";
    private static final String RELEASE = """
            UPDATE organisation_webhook SET lease_owner = NULL, lease_until = NULL
             WHERE organisation_id = ? AND lease_owner = ?""";
    private static final String BACKLOG = "SELECT count(*) FROM webhook_outbox WHERE delivered_at IS NULL";
    private static final String PURGE = """
            DELETE FROM webhook_outbox
             WHERE id IN (SELECT id FROM webhook_outbox WHERE delivered_at < ? LIMIT ?)""";

    private static final int ERROR_MAX = 500;

    private final DataSource dataSource;

    public WebhookStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Sets (creates or replaces) the organisation's webhook. Undelivered rows go to the new address, signed with
     * the new secret, and are tried at once.
     *
     * @return the webhook as {@link #webhook} shows it
     * @throws NotFoundException for an unknown organisation
     */
    public JsonObject put(long organisationId, String url, String secret, Instant now) throws SQLException {
        return Transactions.run(dataSource, c -> {
            Timestamp ts = Timestamp.from(now);
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                ps.setString(1, url);
                ps.setString(2, secret);
                ps.setTimestamp(3, ts);
                ps.setTimestamp(4, ts);
                ps.setLong(5, organisationId);
                if (ps.executeUpdate() == 0) {
                    throw new NotFoundException("organisation " + organisationId);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(RETRY_NOW)) {
                ps.setTimestamp(1, ts);
                ps.setLong(2, organisationId);
                ps.setTimestamp(3, ts);
                ps.executeUpdate();
            }
            return view(c, organisationId);
        });
    }

    /**
     * The organisation's webhook without its secret, with its backlog (undelivered rows) and, while the oldest
     * undelivered row is failing, its attempts, next attempt and last error.
     *
     * @throws NotFoundException for an unknown organisation or one without a webhook
     */
    public JsonObject webhook(long organisationId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return view(c, organisationId);
        }
    }

    /**
     * Removes the organisation's webhook and with it every row of its queue, delivered or not: nothing more is
     * sent to the address, and a webhook set later starts with an empty queue.
     *
     * @throws NotFoundException for an unknown organisation or one without a webhook
     */
    public void delete(long organisationId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(DELETE)) {
                ps.setLong(1, organisationId);
                if (ps.executeUpdate() == 1) {
                    return;
                }
            }
            throw notFound(c, organisationId);
        }
    }

    private static JsonObject view(Connection c, long organisationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(VIEW)) {
            ps.setLong(1, organisationId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw notFound(c, organisationId);
                }
                JsonObject json = new JsonObject()
                        .put("organisationId", rs.getLong("organisation_id"))
                        .put("url", rs.getString("url"))
                        .put("createdAt", rs.getTimestamp("created_at").toInstant().toString())
                        .put("updatedAt", rs.getTimestamp("updated_at").toInstant().toString())
                        .put("backlog", rs.getLong("backlog"));
                int attempts = rs.getInt("attempts");
                if (attempts > 0) {
                    json.put("attempts", attempts)
                            .put("nextAttemptAt", rs.getTimestamp("next_attempt_at").toInstant().toString())
                            .put("lastError", rs.getString("last_error"));
                }
                return json;
            }
        }
    }

    private static NotFoundException notFound(Connection c, long organisationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ORGANISATION_EXISTS)) {
            ps.setLong(1, organisationId);
            try (ResultSet rs = ps.executeQuery()) {
                return new NotFoundException(rs.next() ? "webhook of organisation " + organisationId
                        : "organisation " + organisationId);
            }
        }
    }

    /**
     * Claims up to {@code organisations} queues whose head is due at {@code now} for {@code owner} until
     * {@code leaseUntil}, each with up to {@code rows} of its undelivered rows in id order.
     */
    public List<Claim> claim(String owner, Instant now, Instant leaseUntil, int organisations, int rows)
            throws SQLException {
        return Transactions.run(dataSource, c -> {
            List<Claim> claimed = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(CLAIMABLE)) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setTimestamp(2, Timestamp.from(now));
                ps.setInt(3, organisations);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        claimed.add(new Claim(rs.getLong(1), rs.getString(2), rs.getString(3), List.of()));
                    }
                }
            }
            if (claimed.isEmpty()) {
                return claimed;
            }
            try (PreparedStatement ps = c.prepareStatement(LEASE)) {
                for (Claim claim : claimed) {
                    ps.setString(1, owner);
                    ps.setTimestamp(2, Timestamp.from(leaseUntil));
                    ps.setLong(3, claim.organisationId());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            // A statement of its own, so its snapshot is taken after the locks: it sees every row committed by
            // the enqueuers the locks waited out (READ COMMITTED takes a snapshot per statement).
            List<Claim> withRows = new ArrayList<>(claimed.size());
            try (PreparedStatement ps = c.prepareStatement(QUEUE)) {
                for (Claim claim : claimed) {
                    ps.setLong(1, claim.organisationId());
                    ps.setInt(2, rows);
                    List<Pending> pending = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            pending.add(new Pending(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4)));
                        }
                    }
                    withRows.add(new Claim(claim.organisationId(), claim.url(), claim.secret(), List.copyOf(pending)));
                }
            }
            return withRows;
        });
    }

    /**
     * Marks a row delivered and renews the lease.
     *
     * @return whether the lease is still {@code owner}'s: if not, another dispatcher owns the queue now
     */
    public boolean delivered(String owner, long organisationId, long rowId, Instant now, Instant leaseUntil)
            throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(DELIVERED)) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setLong(2, rowId);
            ps.setTimestamp(3, Timestamp.from(leaseUntil));
            ps.setLong(4, organisationId);
            ps.setString(5, owner);
            return ps.executeUpdate() == 1;
        }
    }

    /** Records a failed attempt and when to try again, if the lease is still {@code owner}'s. */
    public void failed(String owner, long rowId, Instant nextAttemptAt, String error) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(FAILED)) {
            ps.setTimestamp(1, Timestamp.from(nextAttemptAt));
            ps.setString(2, error.length() > ERROR_MAX ? error.substring(0, ERROR_MAX) : error);
            ps.setLong(3, rowId);
            ps.setString(4, owner);
            ps.executeUpdate();
        }
    }

    /** Gives the organisation's queue back, if {@code owner} still holds it. */
    public void release(String owner, long organisationId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(RELEASE)) {
            ps.setLong(1, organisationId);
            ps.setString(2, owner);
            ps.executeUpdate();
        }
    }

    /** Undelivered rows of all organisations. */
    public long backlog() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(BACKLOG);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Deletes up to {@code limit} rows delivered before {@code before}; returns how many. */
    public int purge(Instant before, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(PURGE)) {
            ps.setTimestamp(1, Timestamp.from(before));
            ps.setInt(2, limit);
            return ps.executeUpdate();
        }
    }
}
