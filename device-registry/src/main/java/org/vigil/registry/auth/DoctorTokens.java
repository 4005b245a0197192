package org.vigil.registry.auth;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.vigil.registry.store.OrganisationStore;

/**
 * Doctors' API tokens: {@code vd_} and 192 random bits, issued by an administrator, shown once and stored
 * as SHA-256 (random tokens need no slow hash; see {@code DeviceSecrets}). Verification answers from a short
 * Caffeine cache, so a doctor's dashboard polling the API does not cost a database read per request; loads
 * run on the blocking executor, never on an event loop.
 */
public final class DoctorTokens {

    public static final String PREFIX = "vd_";
    private static final Duration CACHE_TTL = Duration.ofMinutes(1);

    private final Vertx vertx;
    private final AsyncLoadingCache<String, Long> cache;

    public DoctorTokens(Vertx vertx, OrganisationStore store, Executor blockingExecutor,
            io.micrometer.core.instrument.MeterRegistry meters) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(store, "store");
        this.cache = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(CACHE_TTL)
                .executor(Objects.requireNonNull(blockingExecutor, "blockingExecutor"))
                .recordStats()
                .buildAsync((hashHex, executor) -> CompletableFuture.supplyAsync(() -> {
                    try {
                        return store.doctorForToken(HexFormat.of().parseHex(hashHex)).orElse(null);
                    } catch (java.sql.SQLException e) {
                        throw new CompletionException(e);
                    }
                }, executor));
        io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics.monitor(meters, cache, "vigil.registry.doctor_tokens");
    }

    public static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The doctor the token belongs to, completed on the caller's context; empty for an unknown token. */
    public Future<Optional<Long>> doctorFor(String token) {
        if (!token.startsWith(PREFIX)) {
            return Future.succeededFuture(Optional.empty());
        }
        Context context = vertx.getOrCreateContext();
        return Future.fromCompletionStage(cache.get(HexFormat.of().formatHex(hash(token))), context)
                .map(Optional::ofNullable);
    }
}
