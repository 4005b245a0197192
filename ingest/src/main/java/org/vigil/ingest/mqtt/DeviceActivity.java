package org.vigil.ingest.mqtt;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.bus.Addresses;
import org.vigil.registry.model.DeviceIdentity;
import org.vigil.registry.store.DeviceConnectionStore;

/**
 * Connection state and last-seen time of devices, for the registry (operations see which devices are online)
 * and for alerting (a silent device is not a patient who forgot to measure).
 *
 * <p>Connects and disconnects are published on the event bus at once. The registry rows are updated in batches
 * every flush interval, so a busy endpoint does not write a row per message: last-seen is at most one interval
 * old. Shared by every MQTT verticle of the node, hence the concurrent maps.
 *
 * <p>The state must stay true whatever way the node stops. Each connected row names the node holding the
 * connection, and each flush records that the node is alive. At start, before any device connects, the devices
 * this node still shows as connected (it was killed, or lost the database while stopping) are recorded as
 * disconnected at its last heartbeat; at a clean stop whatever it still holds is recorded as disconnected. Rows of
 * other nodes sharing the database are never touched.
 */
public final class DeviceActivity {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceActivity.class);

    private final Vertx vertx;
    private final DeviceConnectionStore store;
    private final Duration flushInterval;
    private final String nodeId;
    private final Clock clock;
    private final ConcurrentHashMap<Long, DeviceConnectionStore.ConnectionState> states = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Long> seen = new ConcurrentHashMap<>();
    /** Open sessions per device on this node. */
    private final ConcurrentHashMap<Long, Integer> sessions = new ConcurrentHashMap<>();
    private long timer = -1;
    private boolean flushing;

    public DeviceActivity(Vertx vertx, DeviceConnectionStore store, Duration flushInterval, String nodeId, Clock clock) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.store = Objects.requireNonNull(store, "store");
        this.flushInterval = Objects.requireNonNull(flushInterval, "flushInterval");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Records the connections this node left behind when it last stopped as ended, then starts the flush timer.
     * Call before the MQTT listeners open.
     */
    public Future<Void> start() {
        return vertx.executeBlocking(() -> store.nodeStarted(nodeId, clock.instant()), false).map(released -> {
            if (!released.isEmpty()) {
                LOG.info("Recorded {} devices as disconnected that this node held when it last stopped [node: {}]",
                        released.size(), nodeId);
            }
            released.forEach(this::announce);
            timer = vertx.setPeriodic(flushInterval.toMillis(), t -> flush());
            return null;
        });
    }

    /**
     * Stops the timer, writes what is pending, and records whatever this node still shows as connected as
     * disconnected. Call once the MQTT listeners are closed.
     */
    public Future<Void> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        return write().transform(ar -> vertx.executeBlocking(() -> store.nodeStopped(nodeId, clock.instant()), false))
                .map(released -> {
                    released.forEach(this::announce);
                    return (Void) null;
                })
                .recover(e -> {
                    LOG.warn("Device disconnects not recorded; the node's next start records them [node: {}]: {}",
                            nodeId, e.toString());
                    return Future.succeededFuture();
                });
    }

    void connected(DeviceIdentity device, long atMillis) {
        sessions.merge(device.id(), 1, Integer::sum);
        changed(device, true, atMillis);
    }

    /**
     * A session ended. A device that reconnected before its old, half-open session timed out still has a
     * session here: it stays connected, whatever order the two events came in.
     */
    void disconnected(DeviceIdentity device, long atMillis) {
        Integer left = sessions.computeIfPresent(device.id(), (id, n) -> n <= 1 ? null : n - 1);
        if (left == null) {
            changed(device, false, atMillis);
        }
    }

    /**
     * A session ended because the device connected to another node at {@code newerAtMillis} (the other node's
     * clock). The device did not go offline, so nothing is announced. It is recorded as disconnected here as of
     * that connect, not of this close: whichever node's write reaches the registry first, the other node's connect
     * is not older and wins, and once it is recorded this node's disconnect no longer applies (the row names the
     * other node). A close recorded at its own, later time could be written after the connect and end it.
     */
    void movedAway(DeviceIdentity device, long newerAtMillis) {
        Integer left = sessions.computeIfPresent(device.id(), (id, n) -> n <= 1 ? null : n - 1);
        if (left == null) {
            states.merge(device.id(), new DeviceConnectionStore.ConnectionState(false,
                    Instant.ofEpochMilli(newerAtMillis)), (old, now) -> now.at().isBefore(old.at()) ? old : now);
        }
    }

    void seen(long deviceId, long atMillis) {
        seen.merge(deviceId, atMillis, Math::max);
    }

    private void changed(DeviceIdentity device, boolean connected, long atMillis) {
        Instant at = Instant.ofEpochMilli(atMillis);
        states.merge(device.id(), new DeviceConnectionStore.ConnectionState(connected, at),
                (old, now) -> now.at().isBefore(old.at()) ? old : now);
        publish(device.id(), device.patientAt(atMillis), connected, at);
    }

    private void announce(DeviceConnectionStore.Released released) {
        if (released.patientId() != null) {
            publish(released.deviceId(), released.patientId(), false, released.at());
        }
    }

    private void publish(long deviceId, long patientId, boolean connected, Instant at) {
        vertx.eventBus().publish(Addresses.DEVICE_CONNECTION, new JsonObject()
                .put("deviceId", deviceId)
                .put("patientId", patientId)
                .put("connected", connected)
                .put("at", at.toString()));
    }

    private void flush() {
        if (!flushing) {
            write();
        }
    }

    private Future<Void> write() {
        Map<Long, DeviceConnectionStore.ConnectionState> changedStates = drain(states);
        Map<Long, Long> lastSeen = drain(seen);
        Instant aliveAt = clock.instant();
        flushing = true;
        return vertx.<Void>executeBlocking(() -> {
            store.nodeAlive(nodeId, aliveAt);
            store.connectionStates(nodeId, changedStates);
            Map<Long, Instant> times = new HashMap<>();
            lastSeen.forEach((id, ms) -> times.put(id, Instant.ofEpochMilli(ms)));
            store.lastSeen(times);
            return null;
        }, false).onComplete(ar -> {
            flushing = false;
            if (ar.failed()) {
                // Put them back: the next flush tries again, newer values winning.
                changedStates.forEach((id, s) -> states.merge(id, s, (now, old) -> now.at().isBefore(old.at()) ? old : now));
                lastSeen.forEach((id, ms) -> seen.merge(id, ms, Math::max));
                LOG.warn("Device activity not recorded, will retry: {}", ar.cause().toString());
            }
        });
    }

    private static <V> Map<Long, V> drain(ConcurrentHashMap<Long, V> map) {
        Map<Long, V> copy = new HashMap<>();
        for (Long id : map.keySet()) {
            V value = map.remove(id);
            if (value != null) {
                copy.put(id, value);
            }
        }
        return copy;
    }
}
