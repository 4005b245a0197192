package org.vigil.simulator.population;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(20)
class PhysiologyTest {

    /** Quiet ranges: inside the physiological ones and clear of every default alert threshold. */
    private static final Map<Metric, double[]> QUIET = Map.of(
            Metric.SYSTOLIC_BP, new double[] {105, 152},
            Metric.DIASTOLIC_BP, new double[] {60, 94},
            Metric.HEART_RATE, new double[] {48, 98},
            Metric.RESP_RATE, new double[] {12, 20},
            Metric.SPO2, new double[] {92, 100},
            Metric.GLUCOSE, new double[] {4.2, 13.0},
            Metric.BODY_WEIGHT, new double[] {49, 89},
            Metric.BODY_TEMP, new double[] {36.1, 37.5});

    private final Population population = Population.plan(400, ConditionMix.DEFAULT, 0.3, 11);

    @ParameterizedTest
    @EnumSource(DeviceType.class)
    void valuesStayInQuietPhysiologicalRangesRoundTheClock(DeviceType type) {
        double[] out = new double[3];
        for (int p = 0; p < 40; p++) {
            Physiology physiology = Physiology.of(population.patients().get(p));
            SplittableRandom noise = new SplittableRandom(p);
            for (int i = 0; i < 2400; i++) {
                physiology.measure(type, (i % 240) / 10.0, noise, out);
                for (int m = 0; m < type.metrics().size(); m++) {
                    Metric metric = type.metrics().get(m);
                    assertThat(out[m]).as("%s of patient %d", metric, p).isBetween(QUIET.get(metric)[0], QUIET.get(metric)[1]);
                    assertThat(out[m]).as("rounded as sent").isEqualTo(metric.round(out[m]));
                }
                if (type == DeviceType.BP_MONITOR) {
                    assertThat(out[1]).isLessThanOrEqualTo(out[0] - 25);
                }
            }
        }
    }

    @Test
    void isDeterministicWithASeed() {
        double[] a = new double[3];
        double[] b = new double[3];
        Physiology pa = Physiology.of(population.patients().get(3));
        Physiology pb = Physiology.of(population.patients().get(3));
        SplittableRandom ra = new SplittableRandom(9);
        SplittableRandom rb = new SplittableRandom(9);
        for (int i = 0; i < 500; i++) {
            pa.measure(DeviceType.WEARABLE, i % 24, ra, a);
            pb.measure(DeviceType.WEARABLE, i % 24, rb, b);
            assertThat(a).containsExactly(b);
        }
    }

    @Test
    void bloodPressurePeaksInTheMorningAndDipsAtNight() {
        double morning = meanSystolic(8.0);
        double afternoon = meanSystolic(14.0);
        double night = meanSystolic(3.0);
        assertThat(morning).isGreaterThan(afternoon + 4);
        assertThat(afternoon).isGreaterThan(night + 4);
        // Home BP of well-controlled patients: the mean stays under the 135/85 hypertension threshold.
        assertThat(morning).isLessThan(135);
    }

    @Test
    void glucoseRisesAfterMealsAboveFasting() {
        double fasting = meanOf(DeviceType.GLUCOMETER, 6.8, 0);
        double afterBreakfast = meanOf(DeviceType.GLUCOMETER, 8.5, 0);
        assertThat(afterBreakfast).isGreaterThan(fasting + 1.0);
        assertThat(fasting).isBetween(4.5, 7.5);
    }

    @Test
    void weightIsStableDayToDay() {
        Physiology physiology = Physiology.of(population.patients().get(5));
        SplittableRandom noise = new SplittableRandom(5);
        double[] out = new double[1];
        double min = Double.MAX_VALUE;
        double max = 0;
        for (int day = 0; day < 365; day++) {
            physiology.measure(DeviceType.SCALE, 7.2, noise, out);
            min = Math.min(min, out[0]);
            max = Math.max(max, out[0]);
        }
        assertThat(max - min).as("never the 2 kg a heart-failure rule looks for").isLessThanOrEqualTo(1.8);
    }

    private double meanSystolic(double hour) {
        return meanOf(DeviceType.BP_MONITOR, hour, 0);
    }

    private double meanOf(DeviceType type, double hour, int metric) {
        double[] out = new double[3];
        double sum = 0;
        int n = 0;
        for (int p = 0; p < 200; p++) {
            Physiology physiology = Physiology.of(population.patients().get(p));
            SplittableRandom noise = new SplittableRandom(p);
            for (int i = 0; i < 50; i++) {
                physiology.measure(type, hour, noise, out);
                sum += out[metric];
                n++;
            }
        }
        return sum / n;
    }
}
