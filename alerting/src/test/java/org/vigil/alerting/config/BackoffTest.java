package org.vigil.alerting.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(10)
class BackoffTest {

    /**
     * Verifies that the wait doubles from the minimum up to the maximum, reaches a maximum that is not a power of two
     * away exactly, and does not overflow after very many failures.
     */
    @ParameterizedTest(name = "min {0} ms, max {1} ms: failure {2} waits {3} ms")
    @CsvSource({
        "1000, 300000, 1, 1000",
        "1000, 300000, 2, 2000",
        "1000, 300000, 3, 4000",
        "1000, 300000, 9, 256000",
        "1000, 300000, 10, 300000",
        "1000, 300000, 1000000, 300000",
        "30, 100, 1, 30",
        "30, 100, 2, 60",
        "30, 100, 3, 100",
        "2000, 2000, 5, 2000",
    })
    void doublesFromTheMinimumUpToTheMaximum(long minMillis, long maxMillis, int failures, long waitMillis) {
        Backoff backoff = new Backoff(Duration.ofMillis(minMillis), Duration.ofMillis(maxMillis));
        assertThat(backoff.after(failures)).isEqualTo(Duration.ofMillis(waitMillis));
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2)).after(0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
