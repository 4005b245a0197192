package org.vigil.simulator.load;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The simulator's own threads, and its bounded waits on work other threads do: every wait has a bound, so
 * a stuck thread or a server that never answers ends a run instead of hanging it.
 */
public final class Threads {

    private Threads() {
    }

    /**
     * Named daemon threads: the names show up in thread dumps, and daemon threads cannot keep the JVM
     * alive if a shutdown path is ever missed.
     */
    public static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * The result of work handed to another thread, waiting at most {@code timeout}.
     *
     * @param what  names the work in the error
     * @throws IllegalStateException if the work failed or did not finish in time
     */
    public static <T> T await(CompletableFuture<T> work, String what, Duration timeout) throws InterruptedException {
        try {
            return work.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " did not answer within " + timeout.toSeconds() + " s");
        }
    }

    /**
     * Checks {@code done} every {@code pollMillis} ms until it holds or {@code deadline} ({@link System#nanoTime()})
     * has passed. For conditions no event announces, such as counters other threads keep.
     */
    public static void pollUntil(BooleanSupplier done, long deadline, long pollMillis) throws InterruptedException {
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(pollMillis);
        }
    }
}
