package org.vigil.simulator.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.simulator.population.Behaviours;

/** Verifies that lanes split any message count exactly, without talking to each other. */
@Timeout(10)
class LaneShareTest {

    @Test
    void lanesTogetherIssueExactlyTheTotal() {
        Traffic traffic = new Traffic(Optional.of(new LoadProfile.Steady(10)), Duration.ofSeconds(1).toNanos(), 1000, 1,
                Behaviours.NONE, new SimClock(6.5, 1), 100, 10_000_000_000L);
        for (int lanes = 1; lanes <= 5; lanes++) {
            for (long total : new long[] {0, 1, 2, 7, 999, 1000}) {
                long sum = 0;
                for (int i = 0; i < lanes; i++) {
                    sum += new Lane(i, lanes, List.of(), traffic, new LaneStats(false), Runnable::run).share(total);
                }
                assertThat(sum).as("%d lanes, %d messages", lanes, total).isEqualTo(total);
            }
        }
    }

    @Test
    void entryTimelineNeverRepeatsATimestampAndStaysNearTheClock() {
        EntryTimeline timeline = new EntryTimeline();
        long now = 1_700_000_000_000L;
        long last = Long.MIN_VALUE;
        for (int i = 0; i < 5000; i++) {
            // At most one entry per millisecond, as the configuration guarantees.
            int n = 1 + i % 10;
            now += n + i % 7;
            long first = timeline.plan(now, n);
            for (int j = 0; j < n; j++) {
                long ts = timeline.at(first, j);
                assertThat(ts).isGreaterThan(last);
                last = ts;
            }
            assertThat(last - now).isLessThan(1000);
        }
    }

    @Test
    void simulatedTimeRunsFasterByTheScale() {
        SimClock clock = new SimClock(6.5, 60);
        assertThat(clock.hourOfDay(0)).isEqualTo(6.5);
        assertThat(clock.hourOfDay(60_000_000_000L)).isEqualTo(7.5);
        assertThat(clock.realNanosAt(7.5)).isEqualTo(60_000_000_000L);
    }
}
