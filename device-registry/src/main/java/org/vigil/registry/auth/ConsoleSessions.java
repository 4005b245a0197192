package org.vigil.registry.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.vigil.common.bus.Addresses;
import org.vigil.common.http.Principal;
import org.vigil.registry.config.RegistryConfig;
import org.vigil.registry.store.AccountStore;
import org.vigil.registry.store.DoctorAccessStore;

/**
 * Signing in to the console, as oneself, with a password. A doctor's session is one of her own doctor tokens,
 * issued at sign-in for {@link RegistryConfig.Console#sessionLifetime()}: the cookie carries it, and
 * {@link DoctorTokens} checks it exactly as it checks a bearer token, so a session resolves to the same
 * {@link Principal} and the same access rules, and ends as tokens end (revocation, which is sign-out; doctor
 * deactivation; expiry). A named administrator's session is a row of its own ({@value #ADMIN_PREFIX} tokens), refused
 * once the account is deactivated.
 *
 * <p>Password hashing (Argon2id, tens of milliseconds) and every database call run on worker threads. Throttling:
 * after {@link RegistryConfig.Console#maxFailures()} failures in a row the account is locked for a while, and while it
 * is locked even the right password is refused without being checked. Guessing across many logins (or logins that do
 * not exist, which lock nothing) is bounded per client address: after {@value #ADDRESS_FACTOR} times as many failures
 * from one address within {@link RegistryConfig.Console#lockout()}, that address is refused, before any hashing, until
 * the window ends. The count is per node, which bounds the hashing work a node can be made to do.
 */
public final class ConsoleSessions {

    public static final String ADMIN_PREFIX = "va_";
    public static final String SETUP_PREFIX = "vs_";
    /** Failed sign-ins from one address allowed per lockout window, as a multiple of the per-account limit. */
    public static final int ADDRESS_FACTOR = 10;

    /** How a sign-in ended. */
    public enum Outcome { SIGNED_IN, BAD_CREDENTIALS, LOCKED }

    /**
     * @param token      the session token for the cookie, when signed in
     * @param principal  who the session makes the caller
     * @param retryAfter when a locked account may try again
     */
    public record SignIn(Outcome outcome, String token, Principal principal, Instant expiresAt, Instant retryAfter) {
    }

    private final Vertx vertx;
    private final AccountStore accounts;
    private final DoctorAccessStore doctorAccess;
    private final DoctorTokens tokens;
    private final Passwords passwords;
    private final RegistryConfig.Console config;
    private final Clock clock;
    private final SecureRandom random;
    /** Failed sign-ins per client address, each count forgotten a lockout after its first failure. */
    private final Cache<String, AtomicInteger> failuresByAddress;

    public ConsoleSessions(Vertx vertx, AccountStore accounts, DoctorAccessStore doctorAccess, DoctorTokens tokens,
            Passwords passwords, RegistryConfig.Console config, Clock clock, SecureRandom random) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.accounts = Objects.requireNonNull(accounts, "accounts");
        this.doctorAccess = Objects.requireNonNull(doctorAccess, "doctorAccess");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.passwords = Objects.requireNonNull(passwords, "passwords");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.failuresByAddress = Caffeine.newBuilder().maximumSize(100_000)
                .expireAfterWrite(config.lockout().isZero() ? Duration.ofSeconds(1) : config.lockout()).build();
    }

    /** Checks the password off the event loop and, when it is right, opens a session. */
    public Future<SignIn> signIn(String login, String password, String remote) {
        String address = remote == null ? "unknown" : remote;
        AtomicInteger fromAddress = failuresByAddress.getIfPresent(address);
        if (fromAddress != null && fromAddress.get() >= config.maxFailures() * ADDRESS_FACTOR) {
            return Future.succeededFuture(new SignIn(Outcome.LOCKED, null, null, null,
                    clock.instant().plus(config.lockout())));
        }
        return vertx.executeBlocking(() -> {
            SignIn result = check(login, password, remote);
            if (result.outcome() == Outcome.BAD_CREDENTIALS) {
                failuresByAddress.get(address, a -> new AtomicInteger()).incrementAndGet();
            }
            return result;
        }, false);
    }

    /** Judges one attempt; on a worker thread. */
    private SignIn check(String login, String password, String remote) throws java.sql.SQLException {
        Instant now = clock.instant();
        Optional<AccountStore.Login> found = accounts.login(login);
        if (found.isEmpty()) {
            passwords.decoyCheck(password);
            return new SignIn(Outcome.BAD_CREDENTIALS, null, null, null, null);
        }
        AccountStore.Login account = found.get();
        if (account.lockedUntil() != null && now.isBefore(account.lockedUntil())) {
            return new SignIn(Outcome.LOCKED, null, null, null, account.lockedUntil());
        }
        if (!passwords.verify(password, account.passwordHash()) || account.deactivated()) {
            accounts.failed(account, now, config.maxFailures(), config.lockout(), remote);
            return new SignIn(Outcome.BAD_CREDENTIALS, null, null, null, null);
        }
        Instant expiresAt = now.plus(config.sessionLifetime());
        String token;
        Principal principal;
        if (account.doctorId() != null) {
            token = DoctorTokens.PREFIX + newToken();
            JsonObject issued = doctorAccess.issueToken(account.doctorId(), DoctorTokens.hash(token), now,
                    expiresAt, AccountStore.actor(account));
            principal = Principal.doctor(account.doctorId(), issued.getLong("id"), expiresAt);
        } else {
            token = ADMIN_PREFIX + newToken();
            accounts.newAdminSession(account.id(), DoctorTokens.hash(token), now, expiresAt);
            principal = admin(account.login());
        }
        accounts.signedIn(account, remote);
        return new SignIn(Outcome.SIGNED_IN, token, principal, expiresAt, null);
    }

    /** The administrator a session token stands for, or empty when it is unknown, expired, revoked or deactivated. */
    public Future<Optional<Principal>> checkAdmin(String token) {
        if (!token.startsWith(ADMIN_PREFIX)) {
            return Future.succeededFuture(Optional.empty());
        }
        return vertx.executeBlocking(() -> accounts.adminSession(DoctorTokens.hash(token), clock.instant())
                .filter(AccountStore.AdminSession::valid)
                .map(s -> new Principal("admin:" + s.login(), null, null, s.expiresAt())), false);
    }

    /**
     * Ends the session the caller signed in with: a doctor's token is revoked (and announced), an admin's closed.
     * This node's token cache drops it before the answer, so the signed-out cookie is refused from the next request
     * on; the announcement tells the rest, which hear it a moment later.
     */
    public Future<Void> signOut(Principal who, String token) {
        return vertx.executeBlocking(() -> {
            Instant now = clock.instant();
            if (who.doctorId() != null && who.tokenId() != null) {
                doctorAccess.revokeToken(who.doctorId(), who.tokenId(), now, who.name());
                tokens.forget(who.doctorId());
                return new JsonObject().put("kind", "doctor").put("doctorId", who.doctorId())
                        .put("change", "token_revoked").put("tokenId", who.tokenId());
            }
            accounts.revokeAdminSession(DoctorTokens.hash(token), now);
            return null;
        }, false).map(change -> {
            if (change != null) {
                vertx.eventBus().publish(Addresses.REGISTRY_CHANGED, change);
            }
            return null;
        });
    }

    /** Sets a password through a one-time link; false when the link is unknown, used or expired. */
    public Future<Boolean> setPassword(String setupToken, String password) {
        return vertx.executeBlocking(() -> {
            if (!setupToken.startsWith(SETUP_PREFIX)) {
                return false;
            }
            String hash = passwords.hash(password);
            return accounts.setPassword(DoctorTokens.hash(setupToken), hash, clock.instant()).isPresent();
        }, false);
    }

    /** A new one-time set-password token ({@value #SETUP_PREFIX}...). */
    public String newSetupToken() {
        return SETUP_PREFIX + newToken();
    }

    /** When a set-password link made now stops working. */
    public Instant setupExpiry() {
        return clock.instant().plus(config.setupLinkLifetime());
    }

    /**
     * The CSRF token of a session: derived from the session token (which only the browser's HttpOnly cookie holds),
     * so nothing more is stored, and a page from another origin can neither read nor compute it.
     */
    public static String csrfToken(String sessionToken) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("vigil-csrf:" + sessionToken).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** A named administrator, as the audit log names her. */
    public static Principal admin(String login) {
        return new Principal("admin:" + login, null);
    }

    private String newToken() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
