package org.vigil.simulator.population;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DailyScheduleTest {

    @Test
    void bloodPressureTwiceADayGlucoseFastingAndAfterBreakfastWeightOnce() {
        SplittableRandom r = new SplittableRandom(1);
        for (int day = 0; day < 200; day++) {
            double[] bp = DailySchedule.day(DeviceType.BP_MONITOR, r);
            assertThat(bp).hasSize(2);
            assertThat(bp[0]).isBetween(6.0, 9.5);
            assertThat(bp[1]).isBetween(17.5, 22.0);
            double[] glucose = DailySchedule.day(DeviceType.GLUCOMETER, r);
            assertThat(glucose.length).isBetween(2, 3);
            assertThat(glucose[0]).as("fasting, before breakfast").isLessThan(8.5);
            assertThat(glucose[1]).as("two hours after breakfast").isBetween(8.6, 10.5);
            assertThat(DailySchedule.day(DeviceType.SCALE, r)).hasSize(1);
            assertThat(DailySchedule.day(DeviceType.PULSE_OXIMETER, r)).hasSize(3);
            assertThat(DailySchedule.day(DeviceType.WEARABLE, r)).isEmpty();
        }
    }

    @Test
    void mostFirstMeasurementsFallBetweenSevenAndNine() {
        SplittableRandom r = new SplittableRandom(2);
        int storm = 0;
        int n = 0;
        for (DeviceType t : new DeviceType[] {DeviceType.BP_MONITOR, DeviceType.SCALE, DeviceType.PULSE_OXIMETER}) {
            for (int i = 0; i < 1000; i++) {
                double first = DailySchedule.day(t, r)[0];
                storm += first >= 7 && first < 9 ? 1 : 0;
                n++;
            }
        }
        assertThat((double) storm / n).isGreaterThan(0.7);
    }
}
