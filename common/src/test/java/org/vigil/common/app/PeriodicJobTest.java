package org.vigil.common.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class PeriodicJobTest {

    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    /** Verifies that a run asked for while one is going is skipped, not queued, and that the next one runs. */
    @Test
    void aRunStillGoingIsNotDoubled() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        LinkedBlockingQueue<Integer> outcomes = new LinkedBlockingQueue<>();
        PeriodicJob<Integer> job = onContext(() -> new PeriodicJob<>(vertx, Duration.ofHours(1), () -> {
            int n = runs.incrementAndGet();
            if (n == 1) {
                release.await();
            }
            return n;
        }, ar -> outcomes.add(ar.result())));

        onContext(() -> {
            job.run();
            job.run();
            job.run();
            return null;
        });
        release.countDown();
        assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo(1);
        onContext(() -> {
            job.run();
            return null;
        });
        assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(runs).hasValue(2);
    }

    /** Verifies that the outcome's handler may run the job again at once, as a sweep does to work off a backlog. */
    @Test
    void theHandlerMayRunTheJobAgainAtOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        LinkedBlockingQueue<Integer> outcomes = new LinkedBlockingQueue<>();
        AtomicReference<PeriodicJob<Integer>> job = new AtomicReference<>();
        job.set(onContext(() -> new PeriodicJob<>(vertx, Duration.ofHours(1), runs::incrementAndGet, ar -> {
            outcomes.add(ar.result());
            if (ar.result() < 3) {
                job.get().run();
            }
        })));
        onContext(() -> {
            job.get().run();
            return null;
        });
        assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo(3);
    }

    /** Verifies that a failed run hands its failure over and leaves the job able to run again. */
    @Test
    void aFailureIsHandedOverAndTheNextRunGoesAhead() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        LinkedBlockingQueue<String> outcomes = new LinkedBlockingQueue<>();
        PeriodicJob<String> job = onContext(() -> new PeriodicJob<>(vertx, Duration.ofMillis(20), () -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("database away");
            }
            return "ok";
        }, ar -> outcomes.add(ar.succeeded() ? ar.result() : ar.cause().getMessage())));
        onContext(() -> {
            job.start(true);
            return null;
        });
        assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo("database away");
        assertThat(outcomes.poll(10, TimeUnit.SECONDS)).isEqualTo("ok");
        onContext(() -> {
            job.stop();
            return null;
        });
    }

    private <T> T onContext(Callable<T> action) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(v -> {
            try {
                result.complete(action.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(10, TimeUnit.SECONDS);
    }
}
