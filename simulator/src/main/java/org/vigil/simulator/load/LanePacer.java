package org.vigil.simulator.load;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A lane's publishing phase: it starts at the run's common start and ends when the duration is up or the
 * lane has offered its share of the message limit. For the load workload it also issues the profile's
 * background messages, each from the next device in turn.
 *
 * <p>Lane {@code i} of {@code n} issues global message numbers {@code k} with {@code k % n == i}, so lanes
 * never talk to each other, yet together they offer exactly the profile and exactly the message limit. The
 * schedule is computed from the start, not from the previous tick, so it does not drift; a late tick catches
 * up by at most {@value #MAX_CATCH_UP_SECONDS} s worth of messages at once, so a stall does not turn into a
 * burst that measures something else. Confined to the lane's thread.
 */
final class LanePacer {

    static final double MAX_CATCH_UP_SECONDS = 0.1;

    private final int index;
    private final int lanes;
    private final List<DeviceState> devices;
    private final Traffic traffic;
    private final LaneStats stats;
    private final LaneUploads uploads;
    private final CompletableFuture<Long> finished = new CompletableFuture<>();
    private final long laneLimit;
    private long startNanos = -1;
    private long issued;
    private long lastIssueElapsed;
    private int cursor;
    private boolean running;

    LanePacer(int index, int lanes, List<DeviceState> devices, Traffic traffic, LaneStats stats, LaneUploads uploads) {
        this.index = index;
        this.lanes = lanes;
        this.devices = devices;
        this.traffic = traffic;
        this.stats = stats;
        this.uploads = uploads;
        this.laneLimit = share(traffic.limit());
    }

    /** Messages {@code k < total} with {@code k % lanes == index}: this lane's part of the first {@code total}. */
    long share(long total) {
        return total > index ? (total - index - 1) / lanes + 1 : 0;
    }

    /** Starts the phase; {@code start} is the run's common start on {@link System#nanoTime()}. */
    void start(long start) {
        startNanos = start;
        running = true;
    }

    /** The run's common start on {@link System#nanoTime()}; -1 before {@link #start(long)}. */
    long startNanos() {
        return startNanos;
    }

    /** Whether the phase has started and not yet ended. */
    boolean running() {
        return running;
    }

    /** The end of the phase as a future of its length; completes on this lane's thread. */
    CompletableFuture<Long> finished() {
        return finished;
    }

    /** Issues what became due by {@code now} and ends the phase when its time or its messages are used up. */
    void tick(long now) {
        if (!running) {
            return;
        }
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

    /** Ends the phase early (the run is stopping). */
    void stop() {
        if (running) {
            finish(System.nanoTime() - startNanos, false);
        }
    }

    /** Ends the phase with an error: the lane cannot go on. */
    void fail(RuntimeException e) {
        running = false;
        finished.completeExceptionally(e);
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
                uploads.measureAndSend(d, traffic.batch(), now - startNanos);
                return;
            }
        }
        stats.error(ErrorKind.NOT_CONNECTED);
    }
}
