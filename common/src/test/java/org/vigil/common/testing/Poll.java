package org.vigil.common.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * Waits for something another thread or process does on its own schedule: checks a condition until it holds or
 * time runs out. The one polling loop of every module's tests, so none of them sleeps for a guessed time.
 */
public final class Poll {

    private static final long INTERVAL_MS = 20;

    private Poll() {
    }

    /** Returns the time it took once {@code condition} holds; fails with {@code what} after {@code timeout}. */
    public static Duration until(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long start = System.nanoTime();
        if (!upTo(timeout, condition)) {
            throw new AssertionError("not within " + timeout + ": " + what);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /**
     * Checks {@code condition} until it holds or {@code timeout} has passed and says whether it held, for a test
     * that states what it expected in an assertion of its own.
     */
    public static boolean upTo(Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(INTERVAL_MS);
        }
        return true;
    }

    /**
     * Reads {@code value} until {@code accepted} holds for it and returns it; after {@code timeout} returns the
     * last value read, for the caller's assertion to describe.
     */
    public static <T> T latest(Duration timeout, Callable<T> value, Predicate<? super T> accepted) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = value.call();
        while (!accepted.test(last) && System.nanoTime() <= deadline) {
            Thread.sleep(INTERVAL_MS);
            last = value.call();
        }
        return last;
    }
}
