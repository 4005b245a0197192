package org.vigil.simulator.population;

/**
 * Seeds derived from the run's {@code --seed}, so that each device (its noise, schedule and imperfections)
 * and each scenario draws numbers of its own, and the same seed replays the same run.
 */
public final class Seeds {

    /** Sets a scenario's numbers apart from those of the device it drives. */
    private static final long SCENARIO = 0x5CE11A10L;

    private Seeds() {
    }

    /**
     * A well-mixed seed for the device at {@code index} of a run seeded with {@code runSeed}: the SplitMix64
     * finaliser, since adjacent seeds given straight to a generator start with correlated values.
     */
    public static long device(long runSeed, int index) {
        long z = runSeed + 0x9E3779B97F4A7C15L * (index + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The seed of a scenario played on the device at {@code index}. */
    public static long scenario(long runSeed, int index) {
        return device(runSeed, index) ^ SCENARIO;
    }
}
