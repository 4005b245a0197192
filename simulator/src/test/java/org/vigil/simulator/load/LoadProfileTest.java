package org.vigil.simulator.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LoadProfileTest {

    @Test
    void steadyOffersTheSameRateThroughout() {
        LoadProfile p = new LoadProfile.Steady(250);
        assertThat(p.rateAt(0)).isEqualTo(250);
        assertThat(p.rateAt(99)).isEqualTo(250);
        assertThat(p.messagesBy(4)).isEqualTo(1000);
    }

    @Test
    void rampClimbsLinearlyThenHolds() {
        LoadProfile p = new LoadProfile.Ramp(100, 1100, 10);
        assertThat(p.rateAt(0)).isEqualTo(100);
        assertThat(p.rateAt(5)).isEqualTo(600);
        assertThat(p.rateAt(10)).isEqualTo(1100);
        assertThat(p.rateAt(20)).isEqualTo(1100);
        assertThat(p.messagesBy(10)).isEqualTo(6000, within(1e-6));
        assertThat(p.messagesBy(12)).isEqualTo(6000 + 2200, within(1e-6));
    }

    @Test
    void spikeBurstsForItsLengthOnly() {
        LoadProfile p = new LoadProfile.Spike(100, 2000, 5, 2);
        assertThat(p.rateAt(4.99)).isEqualTo(100);
        assertThat(p.rateAt(5)).isEqualTo(2000);
        assertThat(p.rateAt(6.99)).isEqualTo(2000);
        assertThat(p.rateAt(7)).isEqualTo(100);
        assertThat(p.messagesBy(10)).isEqualTo(100 * 10 + 1900 * 2, within(1e-6));
        assertThat(p.peakRate(10)).isEqualTo(2000);
    }

    @Test
    void soakSwingsAroundItsRateAndAveragesToItOverAPeriod() {
        LoadProfile p = new LoadProfile.Soak(1000, 0.1, 600);
        assertThat(p.rateAt(150)).isEqualTo(1100, within(1e-6));
        assertThat(p.rateAt(450)).isEqualTo(900, within(1e-6));
        assertThat(p.messagesBy(600)).isEqualTo(600_000, within(1e-6));
    }

    @Test
    void eachIntegralMatchesItsRate() {
        for (LoadProfile p : List.of(new LoadProfile.Steady(50), new LoadProfile.Ramp(0, 5000, 30),
                new LoadProfile.Spike(200, 3000, 3, 4), new LoadProfile.Soak(800, 0.3, 20))) {
            double sum = 0;
            double dt = 0.001;
            for (double t = 0; t < 40; t += dt) {
                sum += p.rateAt(t + dt / 2) * dt;
            }
            assertThat(p.messagesBy(40)).as(p.describe()).isCloseTo(sum, within(Math.max(1, sum * 1e-4)));
        }
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new LoadProfile.Steady(0)).hasMessageContaining("rate");
        assertThatThrownBy(() -> new LoadProfile.Ramp(10, 0, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LoadProfile.Spike(10, 100, -1, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LoadProfile.Soak(10, 1.5, 60)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void describesItselfForReports() {
        assertThat(new LoadProfile.Ramp(0, 5000, 60).describe()).isEqualTo("ramp 0 -> 5000 msg/s over 60 s");
        assertThat(new LoadProfile.Steady(100).name()).isEqualTo("steady");
    }
}
