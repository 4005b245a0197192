package org.vigil.common.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PollTest {

    @Test
    void untilReturnsOnceTheConditionHolds() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        Poll.until("the third check", Duration.ofSeconds(10), () -> checks.incrementAndGet() == 3);
        assertThat(checks).hasValue(3);
    }

    @Test
    void untilFailsNamingWhatItWaitedFor() {
        assertThatThrownBy(() -> Poll.until("the impossible", Duration.ofMillis(50), () -> false))
                .isInstanceOf(AssertionError.class).hasMessageContaining("the impossible");
    }

    @Test
    void upToSaysWhetherTheConditionHeld() throws Exception {
        assertThat(Poll.upTo(Duration.ofSeconds(10), () -> true)).isTrue();
        assertThat(Poll.upTo(Duration.ofMillis(50), () -> false)).isFalse();
    }

    @Test
    void latestReturnsTheFirstAcceptedValueOrTheLastOneRead() throws Exception {
        AtomicInteger counter = new AtomicInteger();
        assertThat(Poll.latest(Duration.ofSeconds(10), counter::incrementAndGet, n -> n >= 4)).isEqualTo(4);
        int last = Poll.latest(Duration.ofMillis(50), counter::incrementAndGet, n -> false);
        assertThat(last).isEqualTo(counter.get());
    }
}
