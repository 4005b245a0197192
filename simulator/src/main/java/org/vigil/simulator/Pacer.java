package org.vigil.simulator;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues messages at a steady total rate from one scheduler thread: message {@code k} is due
 * {@code k / rate} seconds after the start. Every {@value #TICK_MICROS} µs a tick sends whatever has
 * come due, so there is neither a thread per device nor a busy loop, and the schedule does not drift
 * (it is computed from the start, not from the previous tick).
 *
 * <p>If a tick runs late (a GC pause, a slow publish), the next one catches up, but never by more than
 * {@value #MAX_CATCH_UP_SECONDS} s of messages at once: a stalled simulator must not answer with a
 * burst that measures something else. Pacing ends at the deadline or after {@code limit} messages,
 * whichever comes first.
 */
final class Pacer {

    private static final Logger LOG = LoggerFactory.getLogger(Pacer.class);
    static final long TICK_MICROS = 2000;
    static final double MAX_CATCH_UP_SECONDS = 0.1;

    private final ScheduledExecutorService scheduler;
    private final double rate;
    private final long durationNanos;
    private final long limit;
    private final long maxPerTick;
    private final LongConsumer send;
    private final LongSupplier nanoTime;
    private final CompletableFuture<Duration> done = new CompletableFuture<>();

    // Touched only by the scheduler thread once started.
    private long startNanos;
    private long issued;
    private long lastSendElapsed;
    private ScheduledFuture<?> ticks;

    /**
     * @param scheduler  runs the ticks; a single thread, so {@code send} is never called concurrently
     * @param rate       messages per second
     * @param duration   how long to pace
     * @param limit      most messages to issue
     * @param send       called with the message's sequence number (0, 1, 2, ...)
     * @param nanoTime   the clock, {@link System#nanoTime()} outside tests
     */
    Pacer(ScheduledExecutorService scheduler, double rate, Duration duration, long limit, LongConsumer send, LongSupplier nanoTime) {
        this.scheduler = scheduler;
        this.rate = rate;
        this.durationNanos = duration.toNanos();
        this.limit = limit;
        this.maxPerTick = Math.max(1, (long) Math.ceil(rate * MAX_CATCH_UP_SECONDS));
        this.send = send;
        this.nanoTime = nanoTime;
    }

    /** Starts pacing; the future completes with the length of the publishing phase (see {@link #finish()}). */
    CompletableFuture<Duration> start() {
        scheduler.execute(() -> {
            startNanos = nanoTime.getAsLong();
            ticks = scheduler.scheduleAtFixedRate(this::tick, 0, TICK_MICROS, TimeUnit.MICROSECONDS);
        });
        return done;
    }

    /** Stops early (e.g. on interrupt); the future completes with the time paced so far. */
    void stop() {
        scheduler.execute(this::finish);
    }

    private void tick() {
        if (done.isDone()) {
            return;
        }
        try {
            long elapsed = nanoTime.getAsLong() - startNanos;
            boolean timeUp = elapsed >= durationNanos;
            // Message k is due at k/rate s; by time t, floor(t*rate)+1 messages are due.
            long due = timeUp ? limit : Math.min(limit, (long) Math.floor(elapsed / 1e9 * rate) + 1);
            long burst = Math.min(due - issued, maxPerTick);
            for (long i = 0; i < burst; i++) {
                send.accept(issued++);
            }
            if (burst > 0) {
                lastSendElapsed = elapsed;
            }
            if (issued >= limit || timeUp) {
                finish();
            }
        } catch (RuntimeException e) {
            LOG.error("Pacing stopped by an unexpected error", e);
            if (ticks != null) {
                ticks.cancel(false);
            }
            done.completeExceptionally(e);
        }
    }

    /**
     * Ends pacing. The phase lasted until the end of the last message's slot: {@code issued / rate} when
     * the schedule was kept, longer when sends ran late. Counting to the slot's end, not to the last send,
     * keeps 100 messages at 100/s at exactly 1 s rather than 0.99 s.
     */
    private void finish() {
        if (done.isDone()) {
            return;
        }
        if (ticks != null) {
            ticks.cancel(false);
        }
        double slotNanos = 1e9 / rate;
        long elapsed = (long) Math.max(issued * slotNanos, lastSendElapsed + slotNanos);
        done.complete(Duration.ofNanos(Math.max(elapsed, 1)));
    }
}
