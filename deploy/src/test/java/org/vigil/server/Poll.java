package org.vigil.server;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waits for something another process does: checks a condition until it holds or time runs out. */
final class Poll {

    private static final long INTERVAL_MS = 50;

    private Poll() {
    }

    /** Returns the time it took once {@code condition} holds; fails with {@code what} after {@code timeout}. */
    static Duration until(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(INTERVAL_MS);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
