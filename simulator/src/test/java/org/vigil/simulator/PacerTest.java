package org.vigil.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PacerTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void shutdown() {
        scheduler.shutdownNow();
    }

    @Test
    void issuesTheWholeScheduleInOrderWithinTheDuration() throws Exception {
        List<Long> sent = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        Duration elapsed = new Pacer(scheduler, 1000, Duration.ofMillis(300), 300, sent::add, System::nanoTime)
                .start().get(5, TimeUnit.SECONDS);
        long wall = System.nanoTime() - start;
        assertThat(sent).hasSize(300);
        for (int i = 0; i < sent.size(); i++) {
            assertThat(sent.get(i)).isEqualTo(i);
        }
        assertThat(elapsed).isBetween(Duration.ofMillis(300), Duration.ofMillis(400));
        assertThat(Duration.ofNanos(wall)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
    }

    @Test
    void stopsAtTheMessageLimitBeforeTheDeadline() throws Exception {
        List<Long> sent = new CopyOnWriteArrayList<>();
        Duration elapsed = new Pacer(scheduler, 1000, Duration.ofMinutes(10), 50, sent::add, System::nanoTime)
                .start().get(5, TimeUnit.SECONDS);
        assertThat(sent).hasSize(50);
        // 50 slots of 1 ms each, plus at most a late tick.
        assertThat(elapsed).isBetween(Duration.ofMillis(50), Duration.ofMillis(200));
    }

    @Test
    void spreadsMessagesOverTimeRatherThanBursting() throws Exception {
        List<Long> times = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        new Pacer(scheduler, 50, Duration.ofMillis(400), 20, k -> times.add(System.nanoTime() - start), System::nanoTime)
                .start().get(5, TimeUnit.SECONDS);
        assertThat(times).hasSize(20);
        // Message k is due at k x 20 ms; allow generous scheduling slack.
        for (int k = 0; k < times.size(); k++) {
            assertThat(times.get(k) / 1_000_000).as("message %d sent at ms", k).isGreaterThanOrEqualTo(k * 20L - 1);
        }
        assertThat(times.get(19) / 1_000_000).isGreaterThanOrEqualTo(370);
    }
}
