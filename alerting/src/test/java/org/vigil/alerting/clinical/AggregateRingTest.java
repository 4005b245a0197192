package org.vigil.alerting.clinical;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bucketed window store: bounded memory, measurement-time order whatever the arrival order. */
@Timeout(10)
class AggregateRingTest {

    private static final long SEC = 1000;
    private static final long HOUR = 3600 * SEC;
    private static final long DAY = 24 * HOUR;

    private static AggregateRing.Sums sums(AggregateRing ring, long from, long to) {
        AggregateRing.Sums s = new AggregateRing.Sums();
        s.reset();
        ring.accumulate(from, to, s);
        return s;
    }

    @Test
    void aOneHertzStreamCostsOneBucketPerHourAndNoMoreThanTheRetention() {
        AggregateRing ring = new AggregateRing(HOUR, 15 * DAY, false, Double.NaN);
        for (long t = 0; t < 20 * DAY; t += SEC) {
            ring.add(t, 95);
        }
        assertThat(ring.buckets()).isBetween(15 * 24, 15 * 24 + 2);
        assertThat(ring.capacity()).isLessThanOrEqualTo(512);
        AggregateRing.Sums lastDay = sums(ring, 19 * DAY, 20 * DAY);
        assertThat(lastDay.count).isEqualTo(86_400);
        assertThat(lastDay.mean()).isEqualTo(95.0);
    }

    @Test
    void spotChecksCostOneEntryEach() {
        AggregateRing ring = new AggregateRing(HOUR, 8 * DAY, false, Double.NaN);
        for (int d = 0; d < 7; d++) {
            ring.add(d * DAY + 7 * HOUR, 140);
            ring.add(d * DAY + 19 * HOUR, 130);
        }
        assertThat(ring.buckets()).isEqualTo(14);
        assertThat(ring.capacity()).isEqualTo(16);
        assertThat(sums(ring, 0, 7 * DAY).mean()).isEqualTo(135.0);
    }

    @Test
    void outOfOrderReadingsLandInTheirBucketsSoWindowsAreTheSameAsInOrder() {
        AggregateRing inOrder = new AggregateRing(HOUR, 10 * DAY, true, 3.9);
        AggregateRing shuffled = new AggregateRing(HOUR, 10 * DAY, true, 3.9);
        long[] times = {0, 5 * HOUR, 5 * HOUR + 10 * SEC, 2 * DAY, 3 * DAY + HOUR, 6 * DAY};
        double[] values = {5.1, 3.2, 6.0, 3.8, 7.7, 4.4};
        for (int i = 0; i < times.length; i++) {
            inOrder.add(times[i], values[i]);
        }
        for (int i : new int[] {5, 3, 0, 4, 2, 1}) {
            shuffled.add(times[i], values[i]);
        }
        for (long to : new long[] {5 * HOUR, 2 * DAY, 6 * DAY}) {
            AggregateRing.Sums a = sums(inOrder, 0, to);
            AggregateRing.Sums b = sums(shuffled, 0, to);
            assertThat(b.count).isEqualTo(a.count);
            assertThat(b.sum).isEqualTo(a.sum);
            assertThat(b.min).isEqualTo(a.min);
            assertThat(b.below).isEqualTo(a.below);
        }
        assertThat(sums(shuffled, 0, 6 * DAY).below).isEqualTo(2);
        assertThat(sums(shuffled, 0, 6 * DAY).min).isEqualTo(3.2);
        assertThat(shuffled.buckets()).isEqualTo(5);
    }

    @Test
    void aSpanCountsEveryBucketItOverlaps() {
        AggregateRing ring = new AggregateRing(HOUR, DAY, false, Double.NaN);
        ring.add(10 * HOUR + 59 * 60 * SEC, 1);
        ring.add(12 * HOUR, 2);
        assertThat(sums(ring, 10 * HOUR + 59 * 60 * SEC + 30 * SEC, 12 * HOUR).count)
                .as("the 10:00 bucket reaches into the span").isEqualTo(2);
        assertThat(sums(ring, 11 * HOUR, 12 * HOUR).count).isEqualTo(1);
        assertThat(sums(ring, 0, 11 * HOUR).count).as("the 12:00 bucket starts after the span").isEqualTo(1);
    }

    @Test
    void aReadingOlderThanTheRetentionIsDropped() {
        AggregateRing ring = new AggregateRing(HOUR, DAY, false, Double.NaN);
        ring.add(3 * DAY, 1);
        assertThat(ring.add(DAY, 1)).isFalse();
        assertThat(ring.add(2 * DAY + HOUR, 1)).isTrue();
        assertThat(ring.buckets()).isEqualTo(2);
        ring.add(5 * DAY, 1);
        assertThat(ring.buckets()).as("the newest evicts what falls behind the retention").isEqualTo(1);
    }
}
