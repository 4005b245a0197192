package org.vigil.registry.auth;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.vigil.common.bus.Addresses;
import org.vigil.registry.config.RegistryConfig;
import org.vigil.registry.store.DoctorAccessStore;
import org.vigil.registry.store.DoctorAccessStore.Token;

/**
 * Doctors' API tokens: {@code vd_} and 192 random bits, issued by an administrator, shown once and stored
 * as SHA-256 (random tokens need no slow hash; see {@code DeviceSecrets}). Verification answers from a short
 * Caffeine cache, so a doctor's dashboard polling the API does not cost a database read per request; loads
 * run on the blocking executor, never on an event loop.
 *
 * <p>Withdrawal reaches every node two ways. A revocation, deactivation or reactivation is announced on
 * {@link Addresses#REGISTRY_CHANGED} ({@code {"kind": "doctor", "doctorId", "change"}}) and drops every cached token
 * of that doctor at once, including loads still in flight, so they cannot re-insert what they read before the
 * change. A node that never hears the announcement (another process on the same database) trusts a cached entry
 * for at most {@link RegistryConfig#tokenCacheTtl()}. Expiry needs neither: it is judged on every request against
 * the injected clock.
 */
public final class DoctorTokens {

    public static final String PREFIX = "vd_";

    /** Why a token was accepted or refused. */
    public enum Outcome { VALID, UNKNOWN, EXPIRED, REVOKED, DEACTIVATED }

    /**
     * The verdict on a presented token.
     *
     * @param doctorId   whose token it is, {@code null} for an unknown token
     * @param tokenId    its id, {@code null} for an unknown token
     * @param expiresAt  when it expires, {@code null} for an unknown token
     */
    public record Check(Outcome outcome, Long doctorId, Long tokenId, Instant expiresAt) {

        static final Check UNKNOWN = new Check(Outcome.UNKNOWN, null, null, null);

        public boolean valid() {
            return outcome == Outcome.VALID;
        }
    }

    private final Vertx vertx;
    private final Clock clock;
    private final AsyncLoadingCache<String, Token> cache;
    private MessageConsumer<JsonObject> changes;

    public DoctorTokens(Vertx vertx, DoctorAccessStore store, RegistryConfig config, Clock clock,
            Executor blockingExecutor, MeterRegistry meters) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.clock = Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(store, "store");
        this.cache = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(config.tokenCacheTtl())
                .executor(Objects.requireNonNull(blockingExecutor, "blockingExecutor"))
                .recordStats()
                .buildAsync((hashHex, executor) -> CompletableFuture.supplyAsync(() -> {
                    try {
                        // Unknown tokens are not cached (a null result never is), so a guessed token costs an
                        // index look-up each time and fills nothing.
                        return store.token(HexFormat.of().parseHex(hashHex)).orElse(null);
                    } catch (java.sql.SQLException e) {
                        throw new CompletionException(e);
                    }
                }, executor));
        CaffeineCacheMetrics.monitor(meters, cache, "vigil.registry.doctor_tokens");
    }

    /** Starts listening for announced withdrawals. */
    public Future<Void> start() {
        changes = vertx.eventBus().<JsonObject>consumer(Addresses.REGISTRY_CHANGED, msg -> {
            if ("doctor".equals(msg.body().getString("kind")) && msg.body().getLong("doctorId") != null) {
                forget(msg.body().getLong("doctorId"));
            }
        });
        return changes.completion();
    }

    public Future<Void> stop() {
        return changes == null ? Future.succeededFuture() : changes.unregister();
    }

    public static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The verdict on a presented token, completed on the caller's context; fails only when it cannot be read. */
    public Future<Check> check(String token) {
        if (!token.startsWith(PREFIX)) {
            return Future.succeededFuture(Check.UNKNOWN);
        }
        Context context = vertx.getOrCreateContext();
        return Future.fromCompletionStage(cache.get(HexFormat.of().formatHex(hash(token))), context)
                .map(this::judge);
    }

    private Check judge(Token token) {
        if (token == null) {
            return Check.UNKNOWN;
        }
        Outcome outcome;
        if (token.revokedAt() != null) {
            outcome = Outcome.REVOKED;
        } else if (token.doctorDeactivatedAt() != null) {
            outcome = Outcome.DEACTIVATED;
        } else if (!clock.instant().isBefore(token.expiresAt())) {
            outcome = Outcome.EXPIRED;
        } else {
            outcome = Outcome.VALID;
        }
        return new Check(outcome, token.doctorId(), token.id(), token.expiresAt());
    }

    /**
     * Drops every cached token of the doctor on this node, and every load in flight: such a load may have read the
     * row before the change committed, and must not put that back.
     */
    void forget(long doctorId) {
        cache.asMap().values().removeIf(future -> {
            if (!future.isDone() || future.isCompletedExceptionally()) {
                return true;
            }
            Token token = future.getNow(null);
            return token != null && token.doctorId() == doctorId;
        });
    }
}
