package org.vigil.simulator.load;

import java.util.PriorityQueue;

/**
 * A lane's pending timed actions (scheduled measurements, offline periods, scenario steps, reconnects,
 * retries), run by the lane's tick in due order; actions due at the same instant run in the order they were
 * added, so a run replays the same way. Confined to the lane's thread.
 */
final class LaneTimers {

    private record Timed(long due, long seq, Runnable action) implements Comparable<Timed> {
        @Override
        public int compareTo(Timed o) {
            return due != o.due ? Long.compare(due, o.due) : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Timed> queue = new PriorityQueue<>();
    private long seq;

    /** Runs {@code action} at the first tick at or after {@code due} ({@link System#nanoTime()}). */
    void at(long due, Runnable action) {
        queue.add(new Timed(due, seq++, action));
    }

    /** Runs every action due by {@code now}, including any that those actions add for {@code now} or before. */
    void runDue(long now) {
        Timed t;
        while ((t = queue.peek()) != null && t.due() <= now) {
            queue.poll();
            t.action().run();
        }
    }

    /** Drops every pending action. */
    void clear() {
        queue.clear();
    }
}
