package org.vigil.simulator.population;

import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * One simulated patient's vital signs: stable personal baselines drawn from the patient's seed, a
 * circadian rhythm, meals for glucose, and Gaussian measurement noise.
 *
 * <p>Background patients are <em>well controlled</em> on purpose: every value stays inside a quiet range
 * that meets none of Vigil's default alert rules (nor the trend and score rules planned for them), so that
 * any alert the server raises for a patient without a scenario is a false alarm. The ranges:
 *
 * <table>
 *   <caption>Quiet ranges of background readings</caption>
 *   <tr><th>metric</th><th>range</th><th>stays clear of</th></tr>
 *   <tr><td>systolic / diastolic BP</td><td>105–152 / 60–94 mmHg; baselines 112–128 / 68–80</td>
 *       <td>160/100 warning, 7-day mean 135/85, NEWS2 systolic ≤ 110</td></tr>
 *   <tr><td>heart rate</td><td>50–96 /min</td><td>> 100 sustained, NEWS2 pulse ≥ 111 or ≤ 50</td></tr>
 *   <tr><td>SpO2</td><td>94–100 % (COPD patients 92–98 %)</td><td>below 92 (90 and 88 for COPD)</td></tr>
 *   <tr><td>glucose</td><td>4.2–13.0 mmol/L</td><td>below 3.9, at or above 16.7</td></tr>
 *   <tr><td>body weight</td><td>baseline ± 0.9 kg</td><td>gain over 2 kg in 3 days</td></tr>
 *   <tr><td>respiratory rate, temperature</td><td>12–20 /min, 36.1–37.5 °C</td><td>NEWS2 scoring bands</td></tr>
 * </table>
 *
 * <p>Deterministic: the baselines come from the patient's seed, and the noise from the {@link Random}
 * the caller passes (one per device), so the same calls give the same values. Not thread-safe.
 */
public final class Physiology {

    static final double SYSTOLIC_MIN = 105;
    static final double SYSTOLIC_MAX = 152;
    static final double DIASTOLIC_MIN = 60;
    static final double DIASTOLIC_MAX = 94;
    static final double MIN_PULSE_PRESSURE = 25;
    static final double HEART_RATE_MIN = 50;
    static final double HEART_RATE_MAX = 96;
    static final double GLUCOSE_MIN = 4.2;
    static final double GLUCOSE_MAX = 13.0;
    static final double WEIGHT_SWING = 0.9;
    /** Breakfast, lunch and dinner, hours of the day. */
    private static final double[] MEALS = {7.5, 12.0, 18.5};

    private final double systolic;
    private final double diastolic;
    private final double morningSurge;
    private final double restingHeartRate;
    private final double spo2;
    private final double spo2Floor;
    private final double fastingGlucose;
    private final double mealRise;
    private final double weight;
    private final double temperature;
    private final double respRate;

    private Physiology(Random r, boolean copd, boolean diabetic) {
        systolic = uniform(r, 112, 128);
        diastolic = uniform(r, 68, 80);
        // Morning surge: the rise of blood pressure on waking, larger in older hypertensive patients.
        morningSurge = uniform(r, 6, 12);
        restingHeartRate = uniform(r, 62, 80);
        spo2 = copd ? uniform(r, 92.5, 95) : uniform(r, 96, 98);
        spo2Floor = copd ? 92 : 94;
        fastingGlucose = diabetic ? uniform(r, 5.4, 7.2) : uniform(r, 4.6, 5.6);
        mealRise = diabetic ? uniform(r, 2.0, 3.5) : uniform(r, 1.0, 2.0);
        weight = uniform(r, 50, 88);
        temperature = uniform(r, 36.4, 36.8);
        respRate = uniform(r, 13, 17);
    }

    /** The physiology of a planned patient. */
    public static Physiology of(Population.Patient patient) {
        return new Physiology(new Random(patient.seed()), patient.conditions().contains(Condition.COPD),
                patient.conditions().contains(Condition.DIABETES));
    }

    /** A physiology from a bare seed, for a device reused without its patient's conditions. */
    public static Physiology of(long seed, boolean copd, boolean diabetic) {
        return new Physiology(new Random(seed), copd, diabetic);
    }

    /** The patient's personal SpO2 level, %, around which spot checks vary. */
    public double spo2Baseline() {
        return spo2;
    }

    /** The patient's usual weight, kg. */
    public double weightBaseline() {
        return weight;
    }

    /**
     * Measures with a device at a time of day.
     *
     * @param type       the device, which decides the metrics
     * @param hourOfDay  simulated local time, 0 (midnight) to 24
     * @param noise      the device's random source
     * @param out        receives one value per {@link DeviceType#metrics()} entry, rounded as sent
     */
    public void measure(DeviceType type, double hourOfDay, RandomGenerator noise, double[] out) {
        switch (type) {
            case BP_MONITOR -> {
                double circadian = morningSurge * bump(hourOfDay, 7.5, 1.5) + 3 * bump(hourOfDay, 19, 2)
                        - 10 * bump(hourOfDay, 3, 2.5);
                double sys = clamp(systolic + circadian + 6 * noise.nextGaussian(), SYSTOLIC_MIN, SYSTOLIC_MAX);
                double dia = clamp(diastolic + 0.55 * circadian + 4 * noise.nextGaussian(), DIASTOLIC_MIN, DIASTOLIC_MAX);
                out[0] = Math.rint(sys);
                out[1] = Math.rint(Math.min(dia, out[0] - MIN_PULSE_PRESSURE));
                out[2] = heartRate(hourOfDay, 0, noise);
            }
            case GLUCOMETER -> {
                double g = fastingGlucose + 0.3 * bump(hourOfDay, 5, 1.5); // dawn phenomenon
                for (double meal : MEALS) {
                    g += mealRise * mealCurve(hoursSince(hourOfDay, meal));
                }
                out[0] = Metric.GLUCOSE.round(clamp(g + 0.5 * noise.nextGaussian(), GLUCOSE_MIN, GLUCOSE_MAX));
            }
            case PULSE_OXIMETER -> {
                out[0] = Math.rint(clamp(spo2 - 0.5 * bump(hourOfDay, 3, 2) + 0.8 * noise.nextGaussian(), spo2Floor, 98));
                out[1] = heartRate(hourOfDay, 2, noise);
            }
            case SCALE -> out[0] = Metric.BODY_WEIGHT.round(
                    clamp(weight + 0.25 * noise.nextGaussian(), weight - WEIGHT_SWING, weight + WEIGHT_SWING));
            case THERMOMETER -> out[0] = Metric.BODY_TEMP.round(clamp(temperature + 0.3 * bump(hourOfDay, 17, 4)
                    - 0.2 * bump(hourOfDay, 4, 3) + 0.12 * noise.nextGaussian(), 36.1, 37.5));
            case WEARABLE -> {
                // Awake and moving around late morning and late afternoon, lowest at night.
                double activity = 12 * bump(hourOfDay, 10.5, 2.5) + 10 * bump(hourOfDay, 16.5, 2.5) - 8 * bump(hourOfDay, 3, 2.5);
                out[0] = Math.rint(clamp(restingHeartRate + activity + 3 * noise.nextGaussian(), HEART_RATE_MIN - 2, HEART_RATE_MAX + 2));
                out[1] = Math.rint(clamp(spo2 + 0.7 * noise.nextGaussian(), spo2Floor, 100));
                out[2] = Math.rint(clamp(respRate + noise.nextGaussian(), 12, 20));
            }
        }
    }

    private double heartRate(double hourOfDay, double offset, RandomGenerator noise) {
        double hr = restingHeartRate + offset + 5 * bump(hourOfDay, 10, 3) - 6 * bump(hourOfDay, 3, 2.5) + 4 * noise.nextGaussian();
        return Math.rint(clamp(hr, HEART_RATE_MIN, HEART_RATE_MAX));
    }

    /** A smooth bump of height 1 centred on an hour, wrapping around midnight. */
    static double bump(double hour, double centre, double width) {
        double d = Math.abs(hour - centre) % 24;
        d = Math.min(d, 24 - d);
        return Math.exp(-d * d / (2 * width * width));
    }

    /** Glucose rise after a meal, relative to its peak: peaks about an hour after eating, gone after four. */
    static double mealCurve(double hoursAfter) {
        if (hoursAfter <= 0 || hoursAfter > 5) {
            return 0;
        }
        return hoursAfter * Math.exp(1 - hoursAfter);
    }

    private static double hoursSince(double hour, double event) {
        double d = hour - event;
        return d < 0 ? d + 24 : d;
    }

    private static double clamp(double v, double min, double max) {
        return Math.max(min, Math.min(max, v));
    }

    private static double uniform(Random r, double low, double high) {
        return low + (high - low) * r.nextDouble();
    }
}
