package org.vigil.simulator.load;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The connection state machine of a lane's devices: {@code IDLE → QUEUED → CONNECTING → CONNECTED}, and
 * back to {@code IDLE} when a connection fails or drops, or the device goes offline or silent. Queued
 * connections open at the lane's share of the connect rate; a failure is counted by kind and, outside the
 * initial connect phase (whose caller reports failures instead), retried after 1 s, doubling up to 10 s.
 *
 * <p>Once {@link #stop() stopped}, nothing connects again. Confined to the lane's thread.
 */
final class LaneConnections {

    private static final long SECOND = 1_000_000_000L;

    private final List<DeviceState> devices;
    private final Traffic traffic;
    private final int lanes;
    private final LaneStats stats;
    private final LaneTimers timers;
    private final Consumer<DeviceState> onConnected;
    private final ArrayDeque<DeviceState> queue = new ArrayDeque<>();
    private double tokens;
    private long lastOpen;
    private long lastOverdueCheck;
    private int connecting;
    private CompletableFuture<Void> connectPhase;
    private boolean stopping;
    private String firstFailure;

    /** @param onConnected  told of each device that has just connected and may send */
    LaneConnections(List<DeviceState> devices, Traffic traffic, int lanes, LaneStats stats, LaneTimers timers,
            Consumer<DeviceState> onConnected) {
        this.devices = devices;
        this.traffic = traffic;
        this.lanes = lanes;
        this.stats = stats;
        this.timers = timers;
        this.onConnected = onConnected;
    }

    /** Connects every device (load workload, before publishing); completes when each has an outcome. */
    CompletableFuture<Void> connectAll() {
        connectPhase = new CompletableFuture<>();
        for (DeviceState d : devices) {
            request(d);
        }
        if (queue.isEmpty()) {
            connectPhase.complete(null);
        }
        return connectPhase;
    }

    /** The first connection failure of {@link #connectAll()}, or null. Read after it completed. */
    String firstFailure() {
        return firstFailure;
    }

    /** Whether the run is over for connections: nothing connects, reconnects or goes offline any more. */
    boolean stopping() {
        return stopping;
    }

    /** Queues a connection for an idle device that may connect; does nothing otherwise. */
    void request(DeviceState d) {
        if (d.status == DeviceState.Status.IDLE && !d.offline && !d.silenced && !stopping) {
            d.status = DeviceState.Status.QUEUED;
            queue.add(d);
        }
    }

    /**
     * Opens the queued connections the connect rate allows by {@code now}; called on every tick. Once a
     * second it also lets the links give up on overdue acknowledgements.
     */
    void tick(long now) {
        double dt = lastOpen == 0 ? 0 : (now - lastOpen) / 1e9;
        lastOpen = now;
        if (now - lastOverdueCheck >= SECOND) {
            lastOverdueCheck = now;
            for (DeviceState d : devices) {
                d.link.expireOverdue(now);
            }
        }
        double perLane = traffic.connectPerSecond() / lanes;
        // Up to 20 ms of connections at once: smooth, but not starved by a coarse timer.
        tokens = Math.min(tokens + dt * perLane, Math.max(1, perLane * 0.02));
        while (tokens >= 1 && !queue.isEmpty()) {
            DeviceState d = queue.poll();
            if (d.status != DeviceState.Status.QUEUED) {
                continue;
            }
            tokens--;
            d.status = DeviceState.Status.CONNECTING;
            connecting++;
            d.link.connect(outcome -> connected(d, outcome), () -> lost(d));
        }
        if (connectPhase != null && queue.isEmpty() && connecting == 0) {
            CompletableFuture<Void> phase = connectPhase;
            connectPhase = null;
            phase.complete(null);
        }
    }

    private void connected(DeviceState d, DeviceLink.ConnectOutcome outcome) {
        connecting--;
        if (outcome == DeviceLink.ConnectOutcome.CONNECTED) {
            d.status = DeviceState.Status.CONNECTED;
            d.failedConnects = 0;
            if (stopping || d.offline || d.silenced) {
                d.link.disconnect();
                d.status = DeviceState.Status.IDLE;
                return;
            }
            onConnected.accept(d);
            return;
        }
        d.status = DeviceState.Status.IDLE;
        stats.error(outcome == DeviceLink.ConnectOutcome.REFUSED ? ErrorKind.CONNECT_REFUSED : ErrorKind.CONNECT_FAILED);
        if (firstFailure == null) {
            firstFailure = d.serial + (outcome == DeviceLink.ConnectOutcome.REFUSED
                    ? ": the server refused the login" : ": the connection failed");
        }
        if (connectPhase == null) {
            scheduleReconnect(d);
        }
    }

    private void lost(DeviceState d) {
        d.status = DeviceState.Status.IDLE;
        scheduleReconnect(d);
    }

    private void scheduleReconnect(DeviceState d) {
        if (stopping || d.silenced || d.offline) {
            return;
        }
        d.failedConnects++;
        long delay = Math.min(10 * SECOND, SECOND << Math.min(4, d.failedConnects - 1));
        timers.at(System.nanoTime() + delay, () -> request(d));
    }

    /** The offline behaviour: the device drops its connection and comes back after the configured time. */
    void goOffline(DeviceState d) {
        if (d.silenced || d.owned || stopping) {
            return;
        }
        d.offline = true;
        if (d.link.connected()) {
            d.link.disconnect();
        }
        d.status = DeviceState.Status.IDLE;
        timers.at(System.nanoTime() + traffic.behaviours().offlineFor().toNanos(), () -> {
            d.offline = false;
            request(d);
        });
    }

    /** A scenario takes the device silent: it disconnects (or just stops measuring) for the rest of the run. */
    void silence(DeviceState d, boolean disconnect) {
        d.silenced = true;
        if (disconnect && d.link.connected()) {
            d.link.disconnect();
            d.status = DeviceState.Status.IDLE;
        }
    }

    /** No more connecting or reconnecting; queued connections are dropped. */
    void stop() {
        stopping = true;
        queue.clear();
    }

    /** Disconnects every device; what is still in flight is counted unacknowledged. */
    void disconnectAll() {
        stopping = true;
        long abandoned = 0;
        for (DeviceState d : devices) {
            abandoned += d.link.abandon();
            if (d.link.connected()) {
                d.link.disconnect();
            }
        }
        stats.errors(ErrorKind.UNACKNOWLEDGED, abandoned);
    }
}
