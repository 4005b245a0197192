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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.http.ApiException;

/**
 * Console accounts: who signs in (a doctor, or a named administrator), the password's Argon2id hash, the one-time
 * set-password link (stored as SHA-256 of its token), sign-in throttling, and administrators' sessions. Doctors'
 * sessions are doctor tokens ({@link DoctorAccessStore}). Every change is audited in its transaction. Blocking: call
 * from a worker thread.
 */
public final class AccountStore {

    /**
     * What sign-in needs to know about an account.
     *
     * @param doctorId     the doctor it signs in as, {@code null} for an administrator
     * @param deactivated  the account (an administrator's) or its doctor is deactivated
     */
    public record Login(long id, String login, Long doctorId, String passwordHash, boolean deactivated,
            int failedAttempts, Instant lockedUntil) {
    }

    /** An administrator's session as authentication needs it. */
    public record AdminSession(long id, long accountId, String login, Instant expiresAt, boolean valid) {
    }

    private static final String COLUMNS = """
            SELECT a.id, a.login, a.doctor_id, a.display_name, a.created_at, a.deactivated_at,
                   a.password_hash IS NOT NULL AS password_set, d.deactivated_at AS doctor_deactivated_at
              FROM account a LEFT JOIN doctor d ON d.id = a.doctor_id""";
    private static final String SELECT_ONE = COLUMNS + " WHERE a.id = ?";
    private static final String LIST = COLUMNS + " WHERE a.id > ? ORDER BY a.id LIMIT ?";
    private static final String INSERT = """
            INSERT INTO account (login, doctor_id, display_name, created_at, setup_hash, setup_expires_at)
            VALUES (?, ?, ?, ?, ?, ?) RETURNING id""";
    private static final String DOCTOR_EXISTS = "SELECT 1 FROM doctor WHERE id = ?";
    private static final String LOGIN_TAKEN = "SELECT 1 FROM account WHERE lower(login) = lower(?) OR doctor_id = ?";
    private static final String SET_SETUP = "UPDATE account SET setup_hash = ?, setup_expires_at = ? WHERE id = ?";
    private static final String FIND_SETUP = """
            SELECT id FROM account WHERE setup_hash = ? AND setup_expires_at > ? FOR UPDATE""";
    private static final String SET_PASSWORD = """
            UPDATE account SET password_hash = ?, setup_hash = NULL, setup_expires_at = NULL, failed_attempts = 0,
                   locked_until = NULL WHERE id = ?""";
    private static final String FIND_LOGIN = """
            SELECT a.id, a.login, a.doctor_id, a.password_hash, a.failed_attempts, a.locked_until,
                   a.deactivated_at IS NOT NULL OR d.deactivated_at IS NOT NULL AS deactivated
              FROM account a LEFT JOIN doctor d ON d.id = a.doctor_id WHERE lower(a.login) = lower(?)""";
    private static final String FAILED = """
            UPDATE account SET failed_attempts = failed_attempts + 1,
                   locked_until = CASE WHEN failed_attempts + 1 >= ? THEN ?::timestamptz ELSE locked_until END
             WHERE id = ?""";
    private static final String SUCCEEDED = "UPDATE account SET failed_attempts = 0, locked_until = NULL WHERE id = ?";
    private static final String INSERT_SESSION = """
            INSERT INTO admin_session (account_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)""";
    private static final String FIND_SESSION = """
            SELECT s.id, s.account_id, a.login, s.expires_at,
                   s.revoked_at IS NULL AND a.deactivated_at IS NULL AND s.expires_at > ? AS valid
              FROM admin_session s JOIN account a ON a.id = s.account_id WHERE s.token_hash = ?""";
    private static final String REVOKE_SESSION = """
            UPDATE admin_session SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL""";
    private static final String SET_DEACTIVATED = "UPDATE account SET deactivated_at = ? WHERE id = ? AND doctor_id IS NULL";

    private final DataSource dataSource;

    public AccountStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * A new account with a set-password link (the hash of its token) valid until {@code setupExpiresAt}. A login
     * taken (in any case) or a doctor who already has an account is 409; an unknown doctor is 404.
     */
    public JsonObject create(String login, String displayName, Long doctorId, byte[] setupHash, Instant setupExpiresAt,
            Instant now, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            if (doctorId != null && one(c, DOCTOR_EXISTS, rs -> new JsonObject(), doctorId).isEmpty()) {
                throw ApiException.notFound("doctor " + doctorId);
            }
            if (one(c, LOGIN_TAKEN, rs -> new JsonObject(), login, doctorId).isPresent()) {
                throw ApiException.conflict("login", "that login is taken, or the doctor has an account already");
            }
            long id;
            try (PreparedStatement ps = Rows.bind(c.prepareStatement(INSERT), login, doctorId, displayName, now,
                    setupHash, setupExpiresAt); ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
            AuditLog.append(c, new AuditLog.Event(actor, "account.created", "account", id, null,
                    AuditLog.detail("login", login, "doctorId", doctorId)));
            return one(c, SELECT_ONE, AccountStore::account, id).orElseThrow();
        });
    }

    public Optional<JsonObject> account(long id) throws SQLException {
        return one(dataSource, SELECT_ONE, AccountStore::account, id);
    }

    public List<JsonObject> accounts(long afterId, int limit) throws SQLException {
        return all(dataSource, LIST, AccountStore::account, afterId, limit);
    }

    /** Replaces the account's set-password link; the password, if set, stays until the link is used. */
    public JsonObject newSetupLink(long id, byte[] setupHash, Instant expiresAt, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            if (Rows.update(c, SET_SETUP, setupHash, expiresAt, id) == 0) {
                throw ApiException.notFound("account " + id);
            }
            AuditLog.append(c, new AuditLog.Event(actor, "account.setup_link", "account", id, null, null));
            return one(c, SELECT_ONE, AccountStore::account, id).orElseThrow();
        });
    }

    /**
     * Sets the password of the account whose unexpired link has this hash, and uses the link up; empty when there is
     * no such link (unknown, used or expired).
     */
    public Optional<Long> setPassword(byte[] setupHash, String passwordHash, Instant now) throws SQLException {
        return transaction(dataSource, c -> {
            Optional<JsonObject> found = one(c, FIND_SETUP, rs -> new JsonObject().put("id", rs.getLong(1)), setupHash,
                    now);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            long id = found.get().getLong("id");
            Rows.update(c, SET_PASSWORD, passwordHash, id);
            AuditLog.append(c, new AuditLog.Event("account:" + id, "account.password_set", "account", id, null, null));
            return Optional.of(id);
        });
    }

    public Optional<Login> login(String login) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = Rows.bind(c.prepareStatement(FIND_LOGIN),
                login); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new Login(rs.getLong("id"), rs.getString("login"), Rows.longOrNull(rs, "doctor_id"),
                    rs.getString("password_hash"), rs.getBoolean("deactivated"), rs.getInt("failed_attempts"),
                    instant(rs.getTimestamp("locked_until"))));
        }
    }

    /**
     * Counts a failed sign-in; from the {@code maxFailures}-th in a row the account is locked for {@code lockout},
     * doubling with each further failure, up to a day.
     */
    public void failed(Login login, Instant now, int maxFailures, Duration lockout, String remote) throws SQLException {
        int over = Math.max(0, login.failedAttempts() + 1 - maxFailures);
        Duration lock = lockout.multipliedBy(1L << Math.min(over, 10));
        Instant until = now.plus(lock.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1) : lock);
        transaction(dataSource, c -> {
            Rows.update(c, FAILED, maxFailures, until, login.id());
            AuditLog.append(c, new AuditLog.Event("account:" + login.id(), "account.sign_in_failed", "account",
                    login.id(), null, AuditLog.detail("remote", remote)));
            return null;
        });
    }

    /** Records a sign-in; the failure count starts over. */
    public void signedIn(Login login, String remote) throws SQLException {
        transaction(dataSource, c -> {
            Rows.update(c, SUCCEEDED, login.id());
            AuditLog.append(c, new AuditLog.Event(actor(login), "account.signed_in", "account", login.id(), null,
                    AuditLog.detail("remote", remote)));
            return null;
        });
    }

    public void signedOut(long accountId, String actor) throws SQLException {
        transaction(dataSource, c -> {
            AuditLog.append(c, new AuditLog.Event(actor, "account.signed_out", "account", accountId, null, null));
            return null;
        });
    }

    /** The principal's name an account acts as: {@code doctor:<id>}, or {@code admin:<login>}. */
    public static String actor(Login login) {
        return login.doctorId() != null ? "doctor:" + login.doctorId() : "admin:" + login.login();
    }

    public void newAdminSession(long accountId, byte[] tokenHash, Instant now, Instant expiresAt) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Rows.update(c, INSERT_SESSION, accountId, tokenHash, now, expiresAt);
        }
    }

    public Optional<AdminSession> adminSession(byte[] tokenHash, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = Rows.bind(c.prepareStatement(FIND_SESSION),
                now, tokenHash); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new AdminSession(rs.getLong(1), rs.getLong(2), rs.getString(3),
                    instant(rs.getTimestamp(4)), rs.getBoolean(5)));
        }
    }

    public void revokeAdminSession(byte[] tokenHash, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Rows.update(c, REVOKE_SESSION, now, tokenHash);
        }
    }

    /**
     * Deactivates or reactivates an administrator's account (a doctor's account follows her doctor record: use
     * doctor deactivation, which also ends her sessions). 404 for an unknown account, 409 for a doctor's.
     */
    public JsonObject setAdminActive(long id, boolean active, Instant now, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            JsonObject account = one(c, SELECT_ONE, AccountStore::account, id)
                    .orElseThrow(() -> ApiException.notFound("account " + id));
            if (account.getLong("doctorId") != null) {
                throw ApiException.conflict(null, "a doctor's account follows the doctor: deactivate doctor "
                        + account.getLong("doctorId"));
            }
            if (account.getBoolean("active") != active) {
                Rows.update(c, SET_DEACTIVATED, active ? null : now, id);
                AuditLog.append(c, new AuditLog.Event(actor, active ? "account.reactivated" : "account.deactivated",
                        "account", id, null, null));
            }
            return one(c, SELECT_ONE, AccountStore::account, id).orElseThrow();
        });
    }

    private static Instant instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    static JsonObject account(ResultSet rs) throws SQLException {
        Long doctorId = Rows.longOrNull(rs, "doctor_id");
        boolean active = rs.getTimestamp("deactivated_at") == null && rs.getTimestamp("doctor_deactivated_at") == null;
        JsonObject json = new JsonObject()
                .put("id", rs.getLong("id"))
                .put("login", rs.getString("login"))
                .put("name", rs.getString("display_name"))
                .put("role", doctorId == null ? "admin" : "doctor")
                .put("passwordSet", rs.getBoolean("password_set"))
                .put("active", active)
                .put("createdAt", time(rs, "created_at"));
        if (doctorId != null) {
            json.put("doctorId", doctorId);
        }
        return json;
    }
}
