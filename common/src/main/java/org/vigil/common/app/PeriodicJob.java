package org.vigil.common.app;

import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Blocking work (JDBC, as a rule) run on a worker thread every {@code interval}, one run at a time: a tick that comes
 * while a run is still going is skipped, not queued, so runs never pile up behind a slow database. The outcome is
 * handed to {@code done} on the context that started or ran the job. Create, start, run and stop it on one context
 * (a verticle's, in {@code start()}).
 */
public final class PeriodicJob<T> {

    private final Vertx vertx;
    private final Duration interval;
    private final Callable<T> work;
    private final Handler<AsyncResult<T>> done;
    private boolean running;
    private long timer = -1;

    public PeriodicJob(Vertx vertx, Duration interval, Callable<T> work, Handler<AsyncResult<T>> done) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.work = Objects.requireNonNull(work, "work");
        this.done = Objects.requireNonNull(done, "done");
    }

    /** Starts the ticks: the first run at once when {@code runNow}, else after one interval. */
    public void start(boolean runNow) {
        long every = interval.toMillis();
        timer = vertx.setPeriodic(runNow ? 0 : every, every, t -> run());
    }

    /** Runs now, unless a run is still going; {@code done} may call this to go on with a backlog at once. */
    public void run() {
        if (running) {
            return;
        }
        running = true;
        vertx.executeBlocking(work, false).onComplete(ar -> {
            running = false;
            done.handle(ar);
        });
    }

    /** Stops the ticks; a run still going completes and hands over its outcome. */
    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}
