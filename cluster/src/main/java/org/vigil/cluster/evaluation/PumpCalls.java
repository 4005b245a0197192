package org.vigil.cluster.evaluation;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Event-bus work started from the evaluator pump's thread, which waits for its outcome. The work itself runs on the
 * evaluator verticle's context (requests and their replies belong to an event loop); only the pump's thread, which
 * may block, waits. Waiting ends early when the verticle stops ({@link #close}), so a stopping node never hangs on
 * an answer that will not come.
 */
final class PumpCalls {

    /** Slack beyond a request's own time-out, so the event bus reports it first. */
    private static final Duration SLACK = Duration.ofSeconds(5);

    private final Context context;
    private final CompletableFuture<Void> closing = new CompletableFuture<>();

    PumpCalls(Context context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    /**
     * Runs {@code work} on the context and waits for its outcome, at most {@code timeout} and {@link #SLACK}.
     *
     * @throws CancellationException when the verticle stops while waiting
     * @throws Exception             the work's failure, or a time-out
     */
    <T> T await(Supplier<Future<T>> work, Duration timeout) throws Exception {
        if (closing.isDone()) {
            throw new CancellationException("evaluator stopping");
        }
        return waitFor(start(work), timeout.plus(SLACK), true);
    }

    /** As {@link #await}, while stopping too: one last request, such as a revocation on leaving the group. */
    <T> T awaitWhileStopping(Supplier<Future<T>> work, Duration timeout) throws Exception {
        return waitFor(start(work), timeout, false);
    }

    private <T> CompletableFuture<T> start(Supplier<Future<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(v -> {
            Future<T> f;
            try {
                f = work.get();
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            f.onComplete(ar -> {
                if (ar.succeeded()) {
                    result.complete(ar.result());
                } else {
                    result.completeExceptionally(ar.cause());
                }
            });
        });
        return result;
    }

    private <T> T waitFor(CompletableFuture<T> result, Duration timeout, boolean untilClosing) throws Exception {
        try {
            if (untilClosing) {
                CompletableFuture.anyOf(result, closing).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!result.isDone()) {
                    throw new CancellationException("evaluator stopping");
                }
            }
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Waits {@code pause}; false when the verticle began stopping meanwhile (or had already). */
    boolean pause(Duration pause) throws InterruptedException {
        try {
            closing.get(pause.toMillis(), TimeUnit.MILLISECONDS);
            return false;
        } catch (java.util.concurrent.TimeoutException e) {
            return true;
        } catch (ExecutionException e) {
            return false;
        }
    }

    boolean closing() {
        return closing.isDone();
    }

    /** Ends every wait: the verticle stops. */
    void close() {
        closing.complete(null);
    }
}
