package org.vigil.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EntryClockTest {

    private static final long T0 = 1_760_000_000_000L;

    @Test
    void singleEntriesGetIncreasingTimestamps() {
        EntryClock clock = new EntryClock(1);
        assertThat(clock.nextEnd(T0)).isEqualTo(T0);
        assertThat(clock.nextEnd(T0)).isEqualTo(T0 + 1);
        assertThat(clock.nextEnd(T0 + 500)).isEqualTo(T0 + 500);
        assertThat(clock.nextEnd(T0 + 100)).isEqualTo(T0 + 501);
    }

    @Test
    void batchesSentExactlyOneSecondApartDoNotRepeatATimestamp() {
        EntryClock clock = new EntryClock(5);
        long first = clock.nextEnd(T0);
        long second = clock.nextEnd(T0 + 1000);
        assertThat(first).isEqualTo(T0);
        assertThat(second).isNotEqualTo(T0 + 1000).isBetween(T0 + 1001, T0 + 1005);
    }

    @Test
    void noEntryTimestampRepeatsAtTheHighestAllowedRate() {
        int batch = 10;
        EntryClock clock = new EntryClock(batch);
        Set<Long> seen = new HashSet<>();
        Random random = new Random(1);
        long now = T0;
        long end = 0;
        // 100 messages/s of 10 entries = 1000 entries/s, the configured maximum per device.
        for (int i = 0; i < 3000; i++) {
            now += 8 + random.nextInt(5);
            end = clock.nextEnd(now);
            for (int j = 0; j < batch; j++) {
                assertThat(seen.add(end - j * 1000L)).as("timestamp %d repeated", end - j * 1000L).isTrue();
            }
        }
        assertThat(end - now).as("clock stays near the wall clock").isLessThan(1000);
    }
}
