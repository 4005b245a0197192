package org.vigil.simulator.load;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories for the simulator's own pools. */
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
}
