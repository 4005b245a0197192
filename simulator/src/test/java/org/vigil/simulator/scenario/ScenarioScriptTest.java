package org.vigil.simulator.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.simulator.population.Physiology;

@Timeout(10)
class ScenarioScriptTest {

    private static final long NOW = 1_763_800_000_000L;
    private static final long DAY = 86_400_000L;
    private final Physiology physiology = Physiology.of(1, true, false);

    @Test
    void crisisAndHypoglycaemiaCrossTheCriticalThresholds() {
        ScenarioScript crisis = ScenarioScript.of(ScenarioKind.HYPERTENSIVE_CRISIS, physiology, NOW, 2000, 1);
        double[] last = crisis.steps().get(crisis.steps().size() - 1).values()[0];
        assertThat(last[0] >= 180 || last[1] >= 110).isTrue();
        ScenarioScript hypo = ScenarioScript.of(ScenarioKind.SEVERE_HYPOGLYCAEMIA, physiology, NOW, 2000, 1);
        assertThat(hypo.steps().get(1).values()[0][0]).isLessThan(3.0);
        assertThat(crisis.silence()).isEqualTo(-1);
    }

    @Test
    void weightGainIsOverTwoKilogramsWithinThreeDaysAfterAStableWeek() {
        ScenarioScript s = ScenarioScript.of(ScenarioKind.HF_WEIGHT_GAIN, physiology, NOW, 2000, 1);
        ScenarioScript.Step history = s.steps().get(0);
        assertThat(history.ts()).hasSize(8);
        int lastOfHistory = history.ts().length - 1;
        ScenarioScript.Step last = s.steps().get(s.steps().size() - 1);
        assertThat(last.values()[0][0] - history.values()[lastOfHistory][0]).isGreaterThan(2.0);
        assertThat(last.ts()[0] - history.ts()[lastOfHistory]).isLessThanOrEqualTo(3 * DAY);
        double min = Double.MAX_VALUE;
        double max = 0;
        for (double[] v : history.values()) {
            min = Math.min(min, v[0]);
            max = Math.max(max, v[0]);
        }
        assertThat(max - min).as("a stable week").isLessThan(0.5);
        assertThat(history.ts()[0]).as("within the server's 30-day window").isGreaterThan(NOW - 30 * DAY);
    }

    @Test
    void copdDriftDropsSeveralPointsBelowTheOwnBaselineAndNoTimestampIsInTheFuture() {
        ScenarioScript s = ScenarioScript.of(ScenarioKind.COPD_EXACERBATION, physiology, NOW, 2000, 1);
        double baseline = Math.rint(physiology.spo2Baseline());
        ScenarioScript.Step last = s.steps().get(s.steps().size() - 1);
        assertThat(baseline - last.values()[0][0]).isGreaterThanOrEqualTo(4);
        for (int i = 0; i < s.steps().size(); i++) {
            for (long ts : s.steps().get(i).ts()) {
                assertThat(ts).as("step %d", i).isLessThanOrEqualTo(NOW + i * 2000L);
            }
        }
    }

    @Test
    void silenceScenariosUploadDaysUpToNowThenFallSilent() {
        ScenarioScript silent = ScenarioScript.of(ScenarioKind.DEVICE_SILENT, physiology, NOW, 2000, 1);
        ScenarioScript stops = ScenarioScript.of(ScenarioKind.STOPS_MEASURING, physiology, NOW, 2000, 1);
        assertThat(silent.disconnect()).isTrue();
        assertThat(stops.disconnect()).isFalse();
        assertThat(silent.steps()).hasSize(1);
        assertThat(silent.silence()).isZero();
        long[] ts = silent.steps().get(0).ts();
        assertThat(ts[ts.length - 1]).as("the last reading is taken now").isEqualTo(NOW);
        assertThat(NOW - ts[0]).as("after days of history").isGreaterThan(2 * DAY);
    }
}
