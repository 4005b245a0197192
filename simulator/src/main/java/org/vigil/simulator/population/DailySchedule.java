package org.vigil.simulator.population;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * When patients measure with their home devices, in hours of the simulated day: blood pressure twice a
 * day (after waking, before the evening meal), fasting glucose before breakfast and again two hours after
 * it (and after dinner on some days), weight once on waking, oximeter spot checks three times a day. The
 * times jitter from day to day. Most first measurements fall between 07:00 and 09:00, which is what makes
 * the morning connect storm. Wearables stream instead and have no schedule.
 */
public final class DailySchedule {

    private DailySchedule() {
    }

    /** A day's measurement times for a device, in increasing order; empty for streaming devices. */
    public static double[] day(DeviceType type, RandomGenerator random) {
        double[] times = switch (type) {
            case BP_MONITOR -> new double[] {around(random, 7.4, 0.5, 6, 9.5), around(random, 19.5, 0.7, 17.5, 22)};
            case GLUCOMETER -> random.nextBoolean()
                    ? new double[] {around(random, 6.9, 0.4, 6, 8.4), around(random, 9.6, 0.3, 8.6, 10.5), around(random, 20.6, 0.4, 19.5, 22)}
                    : new double[] {around(random, 6.9, 0.4, 6, 8.4), around(random, 9.6, 0.3, 8.6, 10.5)};
            case SCALE -> new double[] {around(random, 7.2, 0.4, 6.3, 9)};
            case PULSE_OXIMETER -> new double[] {around(random, 8.2, 0.5, 7, 9.5), around(random, 14, 0.8, 12, 16),
                    around(random, 20, 0.7, 18.5, 22)};
            case THERMOMETER -> new double[] {around(random, 8, 0.5, 7, 9.5)};
            case WEARABLE -> new double[0];
        };
        Arrays.sort(times);
        return times;
    }

    private static double around(RandomGenerator random, double mean, double sd, double min, double max) {
        return Math.max(min, Math.min(max, mean + sd * random.nextGaussian()));
    }
}
