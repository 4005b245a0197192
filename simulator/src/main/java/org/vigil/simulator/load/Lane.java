package org.vigil.simulator.load;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.simulator.population.DailySchedule;
import org.vigil.simulator.population.Payloads;

/**
 * A share of the devices and of the traffic, driven from one thread: an event loop for the Vert.x client,
 * the pacer thread for Paho. Every {@value #TICK_MILLIS} ms a tick runs due timers (scheduled measurements,
 * offline periods, scenario steps, reconnects), opens queued connections at the configured rate, and issues
 * the background messages the load profile has made due since the last tick.
 *
 * <p>Lane {@code i} of {@code n} issues global message numbers {@code k} with {@code k % n == i}, so lanes
 * never talk to each other, yet together they offer exactly the profile and exactly the message limit. The
 * schedule is computed from the start, not from the previous tick, so it does not drift; a late tick catches
 * up by at most {@value #MAX_CATCH_UP_SECONDS} s worth of messages at once, so a stall does not turn into a
 * burst that measures something else.
 *
 * <p>Everything here is confined to the lane's thread: {@link #execute(Runnable)} is the way in.
 */
final class Lane {

    private static final Logger LOG = LoggerFactory.getLogger(Lane.class);
    static final long TICK_MILLIS = 2;
    static final double MAX_CATCH_UP_SECONDS = 0.1;
    private static final long SECOND = 1_000_000_000L;
    private static final long RETRY_NANOS = 100_000_000L;
    private static final int MAX_SCENARIO_RETRIES = 300;

    private record Timed(long due, long seq, Runnable action) implements Comparable<Timed> {
        @Override
        public int compareTo(Timed o) {
            return due != o.due ? Long.compare(due, o.due) : Long.compare(seq, o.seq);
        }
    }

    final int index;
    final LaneStats stats;
    private final int lanes;
    private final List<DeviceState> devices;
    private final Traffic traffic;
    private final Executor executor;
    private final Payloads payloads = new Payloads();
    private final double[] scratch = new double[3];
    private final PriorityQueue<Timed> timers = new PriorityQueue<>();
    private final ArrayDeque<DeviceState> connectQueue = new ArrayDeque<>();
    private final List<long[]> pendingOffsets = new ArrayList<>();
    private final List<Runnable> pendingActions = new ArrayList<>();
    private final CompletableFuture<Long> finished = new CompletableFuture<>();
    private final long laneLimit;
    private long timerSeq;
    private double connectTokens;
    private long lastTick;
    private long lastOverdueCheck;
    private int connecting;
    private CompletableFuture<Void> connectPhase;
    private long startNanos = -1;
    private long issued;
    private long lastIssueElapsed;
    private int cursor;
    private boolean running;
    private boolean stopping;
    private String firstConnectFailure;

    Lane(int index, int lanes, List<DeviceState> devices, Traffic traffic, LaneStats stats, Executor executor) {
        this.index = index;
        this.lanes = lanes;
        this.devices = List.copyOf(devices);
        this.traffic = traffic;
        this.stats = stats;
        this.executor = executor;
        this.laneLimit = share(traffic.limit());
    }

    List<DeviceState> devices() {
        return devices;
    }

    /** Runs {@code task} on this lane's thread. */
    void execute(Runnable task) {
        executor.execute(task);
    }

    /** Messages {@code k < total} with {@code k % lanes == index}: this lane's part of the first {@code total}. */
    long share(long total) {
        return total > index ? (total - index - 1) / lanes + 1 : 0;
    }

    /** The periodic tick; called on the lane's thread. */
    void tick() {
        try {
            long now = System.nanoTime();
            double dt = lastTick == 0 ? 0 : (now - lastTick) / 1e9;
            lastTick = now;
            runTimers(now);
            if (now - lastOverdueCheck >= SECOND) {
                lastOverdueCheck = now;
                for (DeviceState d : devices) {
                    d.link.expireOverdue(now);
                }
            }
            openConnections(dt);
            if (running) {
                pace(now);
            }
        } catch (RuntimeException e) {
            LOG.error("Lane {} stopped by an unexpected error", index, e);
            running = false;
            finished.completeExceptionally(e);
        }
    }

    // ---- connecting ----

    /** Connects every device (load workload, before publishing); completes when each has an outcome. */
    CompletableFuture<Void> connectAll() {
        connectPhase = new CompletableFuture<>();
        for (DeviceState d : devices) {
            requestConnect(d);
        }
        if (connectQueue.isEmpty()) {
            connectPhase.complete(null);
        }
        return connectPhase;
    }

    /** The first connection failure of {@link #connectAll()}, or null. Read after it completed. */
    String firstConnectFailure() {
        return firstConnectFailure;
    }

    void requestConnect(DeviceState d) {
        if (d.status == DeviceState.Status.IDLE && !d.offline && !d.silenced && !stopping) {
            d.status = DeviceState.Status.QUEUED;
            connectQueue.add(d);
        }
    }

    private void openConnections(double dt) {
        double perLane = traffic.connectPerSecond() / lanes;
        // Up to 20 ms of connections at once: smooth, but not starved by a coarse timer.
        connectTokens = Math.min(connectTokens + dt * perLane, Math.max(1, perLane * 0.02));
        while (connectTokens >= 1 && !connectQueue.isEmpty()) {
            DeviceState d = connectQueue.poll();
            if (d.status != DeviceState.Status.QUEUED) {
                continue;
            }
            connectTokens--;
            d.status = DeviceState.Status.CONNECTING;
            connecting++;
            d.link.connect(outcome -> connected(d, outcome), () -> lost(d));
        }
        if (connectPhase != null && connectQueue.isEmpty() && connecting == 0) {
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
            flush(d);
            return;
        }
        d.status = DeviceState.Status.IDLE;
        stats.error(outcome == DeviceLink.ConnectOutcome.REFUSED ? ErrorKind.CONNECT_REFUSED : ErrorKind.CONNECT_FAILED);
        if (firstConnectFailure == null) {
            firstConnectFailure = d.serial + (outcome == DeviceLink.ConnectOutcome.REFUSED
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
        at(System.nanoTime() + delay, () -> requestConnect(d));
    }

    // ---- running ----

    /** Registers an action {@code offsetNanos} after the start; before {@link #start(long)} only. */
    void atOffset(long offsetNanos, Runnable action) {
        pendingOffsets.add(new long[] {offsetNanos});
        pendingActions.add(action);
    }

    /** Starts publishing; {@code start} is the run's common start on {@link System#nanoTime()}. */
    void start(long start) {
        startNanos = start;
        running = true;
        for (int i = 0; i < pendingOffsets.size(); i++) {
            at(start + pendingOffsets.get(i)[0], pendingActions.get(i));
        }
        for (DeviceState d : devices) {
            if (d.owned) {
                requestConnect(d);
            }
            if (traffic.behaviours().offlineShare() > 0 && d.random.nextDouble() < traffic.behaviours().offlineShare()) {
                long from = (long) (traffic.durationNanos() * (0.1 + 0.5 * d.random.nextDouble()));
                at(start + from, () -> goOffline(d));
            }
        }
        if (traffic.profile().isEmpty()) {
            scheduleDay();
        }
    }

    /** The end of the publishing phase as a future of its length; completes on this lane's thread. */
    CompletableFuture<Long> finished() {
        return finished;
    }

    /** Stops publishing and reconnecting (scenario uploads already queued are dropped). */
    void stop() {
        stopping = true;
        if (running) {
            finish(System.nanoTime() - startNanos, false);
        }
        connectQueue.clear();
        timers.clear();
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

    private void pace(long now) {
        long elapsed = now - startNanos;
        boolean timeUp = elapsed >= traffic.durationNanos();
        if (traffic.profile().isEmpty()) {
            if (timeUp || stats.offered.sum() >= laneLimit) {
                finish(Math.min(elapsed, traffic.durationNanos()), timeUp);
            }
            return;
        }
        LoadProfile profile = traffic.profile().get();
        double seconds = elapsed / 1e9;
        long dueTotal = timeUp ? traffic.limit() : Math.min(traffic.limit(), (long) Math.floor(profile.messagesBy(seconds)) + 1);
        long due = share(dueTotal);
        long cap = Math.max(1, (long) Math.ceil(profile.rateAt(seconds) * MAX_CATCH_UP_SECONDS / lanes));
        long burst = Math.min(due - issued, cap);
        for (long i = 0; i < burst; i++) {
            background(now);
            issued++;
        }
        if (burst > 0) {
            lastIssueElapsed = elapsed;
        }
        if (issued >= laneLimit || timeUp) {
            if (issued < due) {
                stats.offered.add(due - issued);
                stats.errors(ErrorKind.SIMULATOR_BEHIND, due - issued);
            }
            finish(elapsed, timeUp);
        }
    }

    /**
     * Ends pacing. The phase lasted until the end of the last message's slot, not until its send: 100
     * messages at 100/s take 1 s, not 0.99 s.
     */
    private void finish(long elapsed, boolean timeUp) {
        if (!running) {
            return;
        }
        running = false;
        long length = timeUp ? traffic.durationNanos() : elapsed;
        if (!timeUp && traffic.profile().isPresent() && issued > 0) {
            double rate = traffic.profile().get().rateAt(lastIssueElapsed / 1e9) / lanes;
            length = Math.min(traffic.durationNanos(), lastIssueElapsed + (long) (1e9 / Math.max(rate, 1e-9)));
        }
        finished.complete(Math.max(1, length));
    }

    /** Issues one background message from the next device in turn. */
    private void background(long now) {
        stats.offered.increment();
        int n = devices.size();
        for (int scanned = 0; scanned < n; scanned++) {
            DeviceState d = devices.get(cursor);
            cursor = cursor + 1 == n ? 0 : cursor + 1;
            if (!d.owned && !d.silenced) {
                measureAndSend(d, traffic.batch(), now);
                return;
            }
        }
        stats.error(ErrorKind.NOT_CONNECTED);
    }

    /**
     * The device measures {@code n} entries now and sends them, or buffers them when it is offline or not
     * connected yet (asking for a connection: a home device connects when it has something to send).
     */
    private void measureAndSend(DeviceState d, int n, long now) {
        long wall = System.currentTimeMillis() + d.skewMillis;
        double hour = traffic.clock().hourOfDay(now - startNanos);
        long first = d.timeline.plan(wall, n);
        if (d.offline || d.status != DeviceState.Status.CONNECTED) {
            ReadingBuffer buffer = d.buffer();
            for (int i = 0; i < n; i++) {
                d.physiology.measure(d.type, hour, d.random, scratch);
                if (buffer.add(d.timeline.at(first, i), scratch)) {
                    stats.error(ErrorKind.BUFFER_OVERFLOW);
                }
            }
            requestConnect(d);
            return;
        }
        if (d.hasBuffered()) {
            flush(d);
        }
        payloads.begin(n);
        for (int i = 0; i < n; i++) {
            d.physiology.measure(d.type, hour, d.random, scratch);
            payloads.entry(d.timeline.at(first, i), d.metrics, scratch);
        }
        publish(d, payloads.finish(), n * d.metrics.size(), wall);
    }

    /** Sends with the device's imperfections (garbled payloads, duplicates). */
    private boolean publish(DeviceState d, byte[] payload, int readings, long wall) {
        double malformedShare = traffic.behaviours().malformedShare();
        if (malformedShare > 0 && d.random.nextDouble() < malformedShare) {
            Payloads.Malformation[] kinds = Payloads.Malformation.values();
            payload = payloads.malformed(kinds[d.random.nextInt(kinds.length)], wall, d.metrics, scratch);
            readings = 0;
            stats.malformed.increment();
        }
        if (!d.link.publish(payload, d.qos, readings)) {
            stats.error(d.link.connected() ? ErrorKind.WINDOW_FULL : ErrorKind.NOT_CONNECTED);
            return false;
        }
        sent(d.qos, readings);
        double duplicateShare = traffic.behaviours().duplicateShare();
        if (duplicateShare > 0 && d.random.nextDouble() < duplicateShare && d.link.publish(payload, d.qos, 0)) {
            sent(d.qos, 0);
            stats.duplicates.increment();
        }
        return true;
    }

    private void sent(int qos, int readings) {
        stats.sent.increment();
        stats.readingsSent.add(readings);
        if (qos == 0) {
            stats.qos0Sent.increment();
        }
    }

    /** Uploads what the device buffered as one message; retried shortly if its window is full. */
    private void flush(DeviceState d) {
        if (!d.hasBuffered() || d.status != DeviceState.Status.CONNECTED || d.silenced) {
            return;
        }
        ReadingBuffer buffer = d.buffer;
        int n = buffer.size();
        payloads.begin(n);
        for (int i = 0; i < n; i++) {
            buffer.values(i, scratch);
            payloads.entry(buffer.time(i), d.metrics, scratch);
        }
        // Buffered uploads go at QoS 1 whatever the device streams at: losing a day of readings is not an option.
        if (d.link.publish(payloads.finish(), 1, n * d.metrics.size())) {
            sent(1, n * d.metrics.size());
            if (n > 1) {
                stats.bufferedUploads.increment();
            }
            buffer.clear();
        } else {
            at(System.nanoTime() + RETRY_NANOS, () -> flush(d));
        }
    }

    private void goOffline(DeviceState d) {
        if (d.silenced || d.owned || stopping) {
            return;
        }
        d.offline = true;
        if (d.link.connected()) {
            d.link.disconnect();
        }
        d.status = DeviceState.Status.IDLE;
        at(System.nanoTime() + traffic.behaviours().offlineFor().toNanos(), () -> {
            d.offline = false;
            requestConnect(d);
        });
    }

    // ---- day workload ----

    private void scheduleDay() {
        for (DeviceState d : devices) {
            if (d.owned) {
                continue;
            }
            if (d.type.streams()) {
                long every = traffic.wearableUploadNanos();
                long offset = (long) (d.random.nextDouble() * every);
                at(startNanos + offset, () -> wearableUpload(d));
                requestConnect(d);
            } else {
                d.day = 0;
                d.dayTimes = DailySchedule.day(d.type, d.random);
                d.nextInDay = 0;
                double startHour = traffic.clock().startHour();
                while (d.nextInDay < d.dayTimes.length && d.dayTimes[d.nextInDay] < startHour) {
                    d.nextInDay++;
                }
                scheduleMeasurement(d);
            }
        }
    }

    private void scheduleMeasurement(DeviceState d) {
        while (d.nextInDay >= d.dayTimes.length) {
            d.day++;
            d.dayTimes = DailySchedule.day(d.type, d.random);
            d.nextInDay = 0;
        }
        double simHours = d.day * 24.0 + d.dayTimes[d.nextInDay];
        long due = startNanos + traffic.clock().realNanosAt(simHours);
        if (due - startNanos < traffic.durationNanos()) {
            at(due, () -> {
                if (!running || d.owned || d.silenced) {
                    return;
                }
                stats.offered.increment();
                measureAndSend(d, 1, System.nanoTime());
                d.nextInDay++;
                scheduleMeasurement(d);
            });
        }
    }

    private void wearableUpload(DeviceState d) {
        if (!running || d.owned || d.silenced) {
            return;
        }
        stats.offered.increment();
        int samples = (int) Math.max(1, traffic.wearableUploadNanos() / SECOND);
        measureAndSend(d, samples, System.nanoTime());
        at(System.nanoTime() + traffic.wearableUploadNanos(), () -> wearableUpload(d));
    }

    // ---- scenarios ----

    /**
     * Uploads a scenario's readings from a device it owns, at QoS 1, retrying while the device is not
     * connected or its window is full. {@code published} receives {@link System#nanoTime()} at the send, or
     * -1 if it could not be sent.
     */
    void scenarioUpload(DeviceState d, long[] ts, double[][] values, LongConsumer published) {
        scenarioUpload(d, ts, values, published, 0);
    }

    private void scenarioUpload(DeviceState d, long[] ts, double[][] values, LongConsumer published, int attempt) {
        if (stopping) {
            published.accept(-1);
            return;
        }
        if (d.status == DeviceState.Status.CONNECTED) {
            payloads.begin(ts.length);
            for (int i = 0; i < ts.length; i++) {
                payloads.entry(ts[i], d.metrics, values[i]);
            }
            int readings = ts.length * d.metrics.size();
            if (d.link.publish(payloads.finish(), 1, readings)) {
                stats.offered.increment();
                sent(1, readings);
                published.accept(System.nanoTime());
                return;
            }
        }
        requestConnect(d);
        if (attempt >= MAX_SCENARIO_RETRIES) {
            stats.error(ErrorKind.NOT_CONNECTED);
            published.accept(-1);
            return;
        }
        at(System.nanoTime() + RETRY_NANOS, () -> scenarioUpload(d, ts, values, published, attempt + 1));
    }

    /** A scenario takes the device silent: it disconnects (or just stops measuring) for the rest of the run. */
    void silence(DeviceState d, boolean disconnect) {
        d.silenced = true;
        if (disconnect && d.link.connected()) {
            d.link.disconnect();
            d.status = DeviceState.Status.IDLE;
        }
    }

    // ---- timers ----

    private void at(long due, Runnable action) {
        timers.add(new Timed(due, timerSeq++, action));
    }

    private void runTimers(long now) {
        Timed t;
        while ((t = timers.peek()) != null && t.due() <= now) {
            timers.poll();
            t.action().run();
        }
    }
}
