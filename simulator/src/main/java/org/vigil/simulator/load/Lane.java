package org.vigil.simulator.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A share of the devices and of the traffic, driven from one thread: an event loop for the Vert.x client,
 * the pacer thread for Paho. Every {@value #TICK_MILLIS} ms a tick runs due timers (scheduled measurements,
 * offline periods, scenario steps, reconnects), opens queued connections at the configured rate, and issues
 * the background messages the load profile has made due since the last tick.
 *
 * <p>The lane wires its parts and drives them from its tick: {@link LaneTimers} (what is due when),
 * {@link LaneConnections} (each device's connection state), {@link LaneUploads} (what devices send),
 * {@link LanePacer} (the publishing phase and the load profile's messages) and {@link DayRoutine} (the
 * patients' schedules of the day workload).
 *
 * <p>Everything here is confined to the lane's thread: {@link #execute(Runnable)} is the way in.
 */
final class Lane {

    private static final Logger LOG = LoggerFactory.getLogger(Lane.class);
    static final long TICK_MILLIS = 2;
    /** Long enough for a loaded event loop to answer; short enough that a stuck one fails the run. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    /** An action registered before the start, to run {@code offsetNanos} after it. */
    private record Pending(long offsetNanos, Runnable action) {
    }

    final int index;
    final LaneStats stats;
    private final List<DeviceState> devices;
    private final Traffic traffic;
    private final Executor executor;
    private final LaneTimers timers = new LaneTimers();
    private final LaneConnections connections;
    private final LaneUploads uploads;
    private final LanePacer pacer;
    private final DayRoutine day;
    private final List<Pending> pending = new ArrayList<>();

    Lane(int index, int lanes, List<DeviceState> devices, Traffic traffic, LaneStats stats, Executor executor) {
        this.index = index;
        this.devices = List.copyOf(devices);
        this.traffic = traffic;
        this.stats = stats;
        this.executor = executor;
        this.connections = new LaneConnections(this.devices, traffic, lanes, stats, timers, this::connected);
        this.uploads = new LaneUploads(traffic, stats, timers, connections);
        this.pacer = new LanePacer(index, lanes, this.devices, traffic, stats, uploads);
        this.day = new DayRoutine(this.devices, traffic, stats, timers, connections, uploads, pacer);
    }

    /** Runs {@code task} on this lane's thread. */
    void execute(Runnable task) {
        executor.execute(task);
    }

    /** Runs {@code task} on this lane's thread and waits for its result, at most {@link #CALL_TIMEOUT}. */
    <T> T call(Callable<T> task) throws InterruptedException {
        CompletableFuture<T> f = new CompletableFuture<>();
        execute(() -> {
            try {
                f.complete(task.call());
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        });
        return Threads.await(f, "lane " + index, CALL_TIMEOUT);
    }

    /** Messages {@code k < total} with {@code k % lanes == index}: this lane's part of the first {@code total}. */
    long share(long total) {
        return pacer.share(total);
    }

    /** The periodic tick; called on the lane's thread. */
    void tick() {
        try {
            long now = System.nanoTime();
            timers.runDue(now);
            connections.tick(now);
            pacer.tick(now);
        } catch (RuntimeException e) {
            LOG.error("Lane {} stopped by an unexpected error", index, e);
            pacer.fail(e);
        }
    }

    /** Connects every device (load workload, before publishing); completes when each has an outcome. */
    CompletableFuture<Void> connectAll() {
        return connections.connectAll();
    }

    /** The first connection failure of {@link #connectAll()}, or null. Read after it completed. */
    String firstConnectFailure() {
        return connections.firstFailure();
    }

    /** Registers an action {@code offsetNanos} after the start; before {@link #start(long)} only. */
    void atOffset(long offsetNanos, Runnable action) {
        pending.add(new Pending(offsetNanos, action));
    }

    /** Starts publishing; {@code start} is the run's common start on {@link System#nanoTime()}. */
    void start(long start) {
        pacer.start(start);
        for (Pending p : pending) {
            timers.at(start + p.offsetNanos(), p.action());
        }
        // One pass in device order, drawing from each device's own random: the same seed plays the same run.
        for (DeviceState d : devices) {
            if (d.owned) {
                connections.request(d);
            }
            if (traffic.behaviours().offlineShare() > 0 && d.random.nextDouble() < traffic.behaviours().offlineShare()) {
                long from = (long) (traffic.durationNanos() * (0.1 + 0.5 * d.random.nextDouble()));
                timers.at(start + from, () -> connections.goOffline(d));
            }
        }
        if (traffic.profile().isEmpty()) {
            day.start();
        }
    }

    /** The end of the publishing phase as a future of its length; completes on this lane's thread. */
    CompletableFuture<Long> finished() {
        return pacer.finished();
    }

    /** Stops publishing and reconnecting (scenario uploads already queued are dropped). */
    void stop() {
        connections.stop();
        pacer.stop();
        timers.clear();
    }

    /** Disconnects every device; what is still in flight is counted unacknowledged. */
    void disconnectAll() {
        connections.disconnectAll();
    }

    /** See {@link LaneUploads#scenarioUpload}. */
    void scenarioUpload(DeviceState d, long[] ts, double[][] values, LongConsumer published) {
        uploads.scenarioUpload(d, ts, values, published);
    }

    /** A scenario takes the device silent: it disconnects (or just stops measuring) for the rest of the run. */
    void silence(DeviceState d, boolean disconnect) {
        connections.silence(d, disconnect);
    }

    /** A device has just connected: what it buffered meanwhile goes first. */
    private void connected(DeviceState d) {
        uploads.flush(d);
    }
}
