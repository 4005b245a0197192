package org.vigil.registry.cache;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.vigil.common.bus.Addresses;
import org.vigil.registry.config.RegistryConfig;
import org.vigil.registry.model.DeviceIdentity;
import org.vigil.registry.store.DeviceStore;

/**
 * Resolves a device serial to its identity for the MQTT hot path from a Caffeine cache, so a connect
 * costs a database round trip only the first time a device is seen (or after it changed).
 *
 * <p>Loads run on the given blocking executor, never on an event loop; concurrent lookups of the same
 * serial share one load. Unknown serials are not cached, so a device registered a moment ago connects at
 * once. Registry changes published on {@link Addresses#REGISTRY_CHANGED} evict the entry on every node.
 */
public final class DeviceDirectory {

    private final Vertx vertx;
    private final AsyncLoadingCache<String, DeviceIdentity> cache;
    private MessageConsumer<JsonObject> changes;

    public DeviceDirectory(Vertx vertx, DeviceStore store, RegistryConfig config, Executor blockingExecutor,
            MeterRegistry meters) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(store, "store");
        this.cache = Caffeine.newBuilder()
                .maximumSize(config.cacheSize())
                .expireAfterWrite(config.cacheTtl())
                .executor(Objects.requireNonNull(blockingExecutor, "blockingExecutor"))
                .recordStats()
                .buildAsync((serial, executor) -> java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        // A null result is not cached.
                        return store.identity(serial).orElse(null);
                    } catch (java.sql.SQLException e) {
                        throw new CompletionException(e);
                    }
                }, executor));
        CaffeineCacheMetrics.monitor(meters, cache, "vigil.registry.devices");
    }

    /** Starts listening for registry changes. */
    public Future<Void> start() {
        changes = vertx.eventBus().<JsonObject>consumer(Addresses.REGISTRY_CHANGED, msg -> {
            if ("device".equals(msg.body().getString("kind"))) {
                cache.synchronous().invalidate(msg.body().getString("serial"));
            }
        });
        return changes.completion();
    }

    public Future<Void> stop() {
        return changes == null ? Future.succeededFuture() : changes.unregister();
    }

    /**
     * The device with that serial, completed on the caller's context; empty when no such device exists.
     * Fails only when the registry cannot be read.
     */
    public Future<Optional<DeviceIdentity>> lookup(String serial) {
        if (serial == null || !DeviceIdentity.SERIAL.matcher(serial).matches()) {
            // No device has such a serial; asking the database (a NUL in it fails the query) would look like an outage.
            return Future.succeededFuture(Optional.empty());
        }
        Context context = vertx.getOrCreateContext();
        return Future.fromCompletionStage(cache.get(serial), context).map(Optional::ofNullable);
    }

    /** Forgets the device with that serial on this node. */
    public void invalidate(String serial) {
        cache.synchronous().invalidate(serial);
    }
}
