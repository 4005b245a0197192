package org.vigil.simulator.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.vigil.simulator.population.Physiology;

/**
 * The readings a scenario uploads, step by step. Pure: built from the patient's physiology, the wall-clock
 * time the run starts and a seed.
 *
 * <p>Trend and missing-data rules look at measurement time over days, which a short run cannot wait for.
 * So the history a scenario needs (two weeks of stable SpO2, a week of weights) is uploaded at the first step
 * as one buffered batch with past timestamps (the server accepts up to 30 days old), and the change comes in
 * later steps, one upload each, with timestamps that walk up to the present. A threshold scenario needs no
 * history: a normal reading, then the abnormal one, both timestamped now.
 *
 * @param steps    uploads in order; step {@code i} is sent {@code i} step intervals after the scenario starts
 * @param silence  for the silence scenarios, the step after which the device stops; -1 otherwise
 * @param disconnect whether silencing drops the connection (a device gone silent) or not (a patient who stopped measuring)
 */
public record ScenarioScript(List<Step> steps, int silence, boolean disconnect) {

    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;

    /**
     * One upload.
     *
     * @param ts      measurement times, epoch ms
     * @param values  one row per entry, in the device's metric order
     */
    public record Step(long[] ts, double[][] values) {
    }

    public ScenarioScript {
        steps = List.copyOf(steps);
    }

    /**
     * @param now   wall-clock time the steps are planned from, epoch ms (the run's start)
     * @param step  real time between steps, ms; the timestamps of the change phase advance with it so that
     *              none is in the future when it is sent
     */
    public static ScenarioScript of(ScenarioKind kind, Physiology physiology, long now, long step, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Step> steps = new ArrayList<>();
        switch (kind) {
            case HYPERTENSIVE_CRISIS -> {
                steps.add(one(now, new double[] {128, 79, 74}));
                steps.add(one(now + step, new double[] {192, 118, 96}));
            }
            case SEVERE_HYPOGLYCAEMIA -> {
                steps.add(one(now, new double[] {6.1}));
                steps.add(one(now + step, new double[] {2.6}));
            }
            case COPD_EXACERBATION -> {
                double base = Math.rint(physiology.spo2Baseline());
                List<long[]> ts = new ArrayList<>();
                List<double[]> values = new ArrayList<>();
                // Two spot checks a day from 16 days ago to 3 days ago: the patient's own baseline.
                for (int day = 16; day >= 3; day--) {
                    for (double hour : new double[] {8.2, 20}) {
                        ts.add(new long[] {now - day * DAY + (long) (hour * HOUR) - 12 * HOUR});
                        values.add(new double[] {Math.min(98, base + (r.nextInt(3) - 1)), 72 + r.nextInt(8)});
                    }
                }
                steps.add(batch(ts, values));
                double[] drop = {1, 2, 3, 3.5, 4.5, 5};
                for (int i = 0; i < drop.length; i++) {
                    // Walks from 2.5 days ago to the present, whatever the step interval.
                    long t = now - (long) ((drop.length - 1 - i) * 12 * HOUR) + (i + 1) * step;
                    steps.add(one(t, new double[] {base - drop[i], 84 + 2 * i}));
                }
            }
            case HF_WEIGHT_GAIN -> {
                double base = Math.rint(physiology.weightBaseline() * 10) / 10;
                List<long[]> ts = new ArrayList<>();
                List<double[]> values = new ArrayList<>();
                // A stable week, the last weigh-in just inside three days before the last gain.
                for (int day = 10; day >= 3; day--) {
                    ts.add(new long[] {now - day * DAY + (day == 3 ? HOUR : 0)});
                    values.add(new double[] {Math.rint((base + (r.nextInt(5) - 2) / 10.0) * 10) / 10});
                }
                steps.add(batch(ts, values));
                double last = values.get(values.size() - 1)[0];
                double[] gain = {0.9, 1.7, 2.6};
                for (int i = 0; i < gain.length; i++) {
                    long t = now - (gain.length - 1 - i) * DAY + (i + 1) * step;
                    steps.add(one(t, new double[] {Math.rint((last + gain[i]) * 10) / 10}));
                }
            }
            // A few normal days up to a reading taken now, then nothing: the care plan's interval does the rest.
            case DEVICE_SILENT -> steps.add(withNow(history(now, 3, 1, new double[] {7.4, 19.5}, r, true), now,
                    new double[] {122, 76, 70}));
            case STOPS_MEASURING -> steps.add(withNow(history(now, 3, 1, new double[] {7.2}, r, false), now,
                    new double[] {68.4}));
        }
        return new ScenarioScript(steps, kind.silence() ? 0 : -1, kind == ScenarioKind.DEVICE_SILENT);
    }

    /** Normal readings at the given hours of each day from {@code fromDay} to {@code toDay} days ago. */
    private static Step history(long now, int fromDay, int toDay, double[] hours, SplittableRandom r, boolean bp) {
        List<long[]> ts = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        long midnight = now - Math.floorMod(now, DAY);
        for (int day = fromDay; day >= toDay; day--) {
            for (double hour : hours) {
                ts.add(new long[] {midnight - day * DAY + (long) (hour * HOUR)});
                values.add(bp ? new double[] {118 + r.nextInt(12), 72 + r.nextInt(8), 66 + r.nextInt(10)}
                        : new double[] {68 + r.nextInt(4) / 10.0});
            }
        }
        return batch(ts, values);
    }

    private static Step withNow(Step history, long now, double[] values) {
        long[] ts = java.util.Arrays.copyOf(history.ts(), history.ts().length + 1);
        double[][] rows = java.util.Arrays.copyOf(history.values(), history.values().length + 1);
        ts[ts.length - 1] = now;
        rows[rows.length - 1] = values;
        return new Step(ts, rows);
    }

    private static Step one(long ts, double[] values) {
        return new Step(new long[] {ts}, new double[][] {values});
    }

    private static Step batch(List<long[]> ts, List<double[]> values) {
        long[] t = new long[ts.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = ts.get(i)[0];
        }
        return new Step(t, values.toArray(double[][]::new));
    }
}
