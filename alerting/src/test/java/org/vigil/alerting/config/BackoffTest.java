package org.vigil.alerting.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BackoffTest {

    @Test
    void doublesFromTheMinimumUpToTheMaximum() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));
        assertThat(backoff.after(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.after(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.after(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.after(9)).isEqualTo(Duration.ofSeconds(256));
        assertThat(backoff.after(10)).as("512 s is past the cap").isEqualTo(Duration.ofMinutes(5));
        assertThat(backoff.after(1_000_000)).as("no overflow after very many failures").isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aMaximumNotAPowerOfTwoAwayIsReachedExactly() {
        Backoff backoff = new Backoff(Duration.ofMillis(30), Duration.ofMillis(100));
        assertThat(backoff.after(1)).isEqualTo(Duration.ofMillis(30));
        assertThat(backoff.after(2)).isEqualTo(Duration.ofMillis(60));
        assertThat(backoff.after(3)).isEqualTo(Duration.ofMillis(100));
        assertThat(new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(2)).after(5)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2)).after(0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
