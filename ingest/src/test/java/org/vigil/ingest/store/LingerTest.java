package org.vigil.ingest.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LingerTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Feeds batches of {@code readings} every {@code everyNanos}, as a shard under a steady load would take them. */
    private static Linger steady(Linger linger, int readings, long everyNanos) {
        for (int i = 0; i < 20; i++) {
            linger.taken(readings, i * everyNanos);
        }
        return linger;
    }

    @Test
    void aQuietShardCommitsAtOnce() {
        // One reading every 100 ms: in a 5 ms budget nothing more would come.
        Linger linger = steady(new Linger(5 * MS, 500), 1, 100 * MS);
        assertThat(linger.waitNanos(1)).isZero();
    }

    @Test
    void atEverydayRatesAShardWaitsTheWholeBudgetForMore() {
        // 5,000 readings/s: 25 due within 5 ms, far from the 500 that amortise a commit.
        Linger linger = steady(new Linger(5 * MS, 500), 5, MS);
        assertThat(linger.readingsPerSecond()).isCloseTo(5_000, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(linger.waitNanos(5)).isEqualTo(5 * MS);
    }

    @Test
    void aShardWaitsOnlyAsLongAsTheTargetNeeds() {
        // 200,000 readings/s: the 450 still missing arrive in 2.25 ms.
        Linger linger = steady(new Linger(5 * MS, 500), 200, MS);
        assertThat(linger.waitNanos(50)).isBetween(2_200_000L, 2_300_000L);
    }

    @Test
    void aFullBatchNeverWaits() {
        Linger linger = steady(new Linger(5 * MS, 500), 5, MS);
        assertThat(linger.wantsMore(500)).isFalse();
        assertThat(linger.waitNanos(500)).isZero();
        assertThat(linger.waitNanos(20_000)).isZero();
    }

    @Test
    void aZeroBudgetIsPureGroupCommit() {
        Linger linger = steady(new Linger(0, 500), 5, MS);
        assertThat(linger.waitNanos(1)).isZero();
    }

    @Test
    void nothingIsKnownBeforeTheSecondBatch() {
        Linger linger = new Linger(5 * MS, 500);
        assertThat(linger.waitNanos(1)).isZero();
        linger.taken(10, 0);
        assertThat(linger.waitNanos(1)).isZero();
        linger.taken(10, MS);
        assertThat(linger.waitNanos(1)).isEqualTo(5 * MS);
    }

    @Test
    void theRateFollowsALoadThatFalls() {
        Linger linger = steady(new Linger(5 * MS, 500), 5, MS);
        long t = 20 * MS;
        for (int i = 1; i <= 30; i++) {
            linger.taken(1, t + i * 100 * MS);
        }
        assertThat(linger.waitNanos(1)).as("back to quiet: no more waiting").isZero();
    }

    @Test
    void refusesANegativeBudget() {
        assertThatThrownBy(() -> new Linger(-1, 500)).isInstanceOf(IllegalArgumentException.class);
    }
}
