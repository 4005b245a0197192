package org.vigil.registry.store;

import static org.vigil.registry.store.Rows.all;
import static org.vigil.registry.store.Rows.one;
import static org.vigil.registry.store.Rows.time;
import static org.vigil.registry.store.Rows.transaction;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.http.ApiException;

/**
 * What lets a doctor in, and what withdraws it: her API tokens (stored as hashes, each with an expiry, revocable)
 * and whether she is active. Every change is audited in its transaction. Blocking: call from a worker thread.
 */
public final class DoctorAccessStore {

    /**
     * A stored token as authentication needs it: whose it is and whether it may still be used.
     *
     * @param doctorDeactivatedAt  when the doctor was deactivated, {@code null} while she is active
     */
    public record Token(long id, long doctorId, Instant expiresAt, Instant revokedAt, Instant doctorDeactivatedAt) {
    }

    private static final String FIND_TOKEN = """
            SELECT t.id, t.doctor_id, t.expires_at, t.revoked_at, d.deactivated_at
              FROM doctor_token t JOIN doctor d ON d.id = t.doctor_id WHERE t.token_hash = ?""";
    private static final String DOCTOR_EXISTS = "SELECT 1 FROM doctor WHERE id = ?";
    private static final String LOCK_DOCTOR = "SELECT deactivated_at FROM doctor WHERE id = ? FOR UPDATE";
    private static final String INSERT_TOKEN = """
            INSERT INTO doctor_token (doctor_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)
            RETURNING id""";
    private static final String TOKEN_COLUMNS = """
            SELECT id, doctor_id, created_at, expires_at, revoked_at,
                   CASE WHEN revoked_at IS NOT NULL THEN 'revoked' WHEN expires_at <= ? THEN 'expired' ELSE 'active' END
                     AS status
              FROM doctor_token""";
    private static final String SELECT_TOKEN = TOKEN_COLUMNS + " WHERE id = ? AND doctor_id = ?";
    private static final String LIST_TOKENS = TOKEN_COLUMNS + " WHERE doctor_id = ? AND id > ? ORDER BY id LIMIT ?";
    private static final String REVOKE_TOKEN = """
            UPDATE doctor_token SET revoked_at = ? WHERE id = ? AND doctor_id = ? AND revoked_at IS NULL""";
    private static final String SET_DEACTIVATED = "UPDATE doctor SET deactivated_at = ? WHERE id = ?";

    private final DataSource dataSource;

    public DoctorAccessStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Stores a doctor's new token by its hash, valid until {@code expiresAt}. An unknown doctor is not found; a
     * deactivated one gets no token (409).
     */
    public JsonObject issueToken(long doctorId, byte[] tokenHash, Instant now, Instant expiresAt, String actor)
            throws SQLException {
        return transaction(dataSource, c -> {
            if (lockDoctor(c, doctorId) != null) {
                throw ApiException.conflict(null, "doctor " + doctorId + " is deactivated; reactivate her first");
            }
            long id;
            try (PreparedStatement ps = Rows.bind(c.prepareStatement(INSERT_TOKEN), doctorId, tokenHash, now, expiresAt);
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
            AuditLog.append(c, new AuditLog.Event(actor, "doctor.token_issued", "doctor", doctorId, null,
                    AuditLog.detail("tokenId", id, "expiresAt", expiresAt.toString())));
            return one(c, SELECT_TOKEN, DoctorAccessStore::token, now, id, doctorId).orElseThrow();
        });
    }

    /** The token with that hash, whatever its state, or empty when no such token was ever issued. */
    public Optional<Token> token(byte[] tokenHash) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(FIND_TOKEN)) {
            ps.setBytes(1, tokenHash);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Token(rs.getLong(1), rs.getLong(2), instant(rs, 3), instant(rs, 4),
                        instant(rs, 5)));
            }
        }
    }

    /**
     * A doctor's tokens in id order, never the tokens themselves, each with its state at {@code now}; an unknown
     * doctor is not found.
     */
    public List<JsonObject> tokens(long doctorId, Instant now, long afterId, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<JsonObject> tokens = all(c, LIST_TOKENS, DoctorAccessStore::token, now, doctorId, afterId, limit);
            if (tokens.isEmpty() && one(c, DOCTOR_EXISTS, rs -> new JsonObject(), doctorId).isEmpty()) {
                throw ApiException.notFound("doctor " + doctorId);
            }
            return tokens;
        }
    }

    /**
     * Revokes one of a doctor's tokens for good. Repeating it changes nothing and records nothing more; a token
     * that is not hers is not found.
     */
    public JsonObject revokeToken(long doctorId, long tokenId, Instant now, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            if (Rows.update(c, REVOKE_TOKEN, now, tokenId, doctorId) == 1) {
                AuditLog.append(c, new AuditLog.Event(actor, "doctor.token_revoked", "doctor", doctorId, null,
                        AuditLog.detail("tokenId", tokenId)));
            }
            return one(c, SELECT_TOKEN, DoctorAccessStore::token, now, tokenId, doctorId)
                    .orElseThrow(() -> ApiException.notFound("token " + tokenId + " of doctor " + doctorId));
        });
    }

    /**
     * Deactivates a doctor (all her tokens are refused while she is) or reactivates her (her tokens that are neither
     * expired nor revoked work again). Setting the state she already has changes nothing and records nothing.
     */
    public JsonObject setActive(long doctorId, boolean active, Instant now, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            boolean wasActive = lockDoctor(c, doctorId) == null;
            if (wasActive != active) {
                Rows.update(c, SET_DEACTIVATED, active ? null : now, doctorId);
                AuditLog.append(c, new AuditLog.Event(actor, active ? "doctor.reactivated" : "doctor.deactivated",
                        "doctor", doctorId, null, null));
            }
            return one(c, OrganisationStore.SELECT_DOCTOR, OrganisationStore::doctor, doctorId).orElseThrow();
        });
    }

    /** Locks the doctor's row and returns when she was deactivated ({@code null}: active); 404 when unknown. */
    private static Instant lockDoctor(Connection c, long doctorId) throws SQLException {
        try (PreparedStatement ps = Rows.bind(c.prepareStatement(LOCK_DOCTOR), doctorId); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw ApiException.notFound("doctor " + doctorId);
            }
            return instant(rs, 1);
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }

    static JsonObject token(ResultSet rs) throws SQLException {
        JsonObject json = new JsonObject()
                .put("id", rs.getLong("id"))
                .put("doctorId", rs.getLong("doctor_id"))
                .put("createdAt", time(rs, "created_at"))
                .put("expiresAt", time(rs, "expires_at"))
                .put("status", rs.getString("status"));
        String revokedAt = time(rs, "revoked_at");
        if (revokedAt != null) {
            json.put("revokedAt", revokedAt);
        }
        return json;
    }
}
