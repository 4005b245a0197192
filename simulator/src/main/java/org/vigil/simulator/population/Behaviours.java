package org.vigil.simulator.population;

import java.time.Duration;

/**
 * How imperfect the simulated devices are. Shares are probabilities: per upload for duplicates and
 * malformed payloads, per device for clock skew and for going offline once during the run.
 *
 * @param duplicateShare  uploads sent twice, as after a lost PUBACK (the server stores them once)
 * @param malformedShare  uploads replaced by a garbled payload (counted apart, expected to store nothing)
 * @param skewedShare     devices whose clock is off by up to {@code maxSkew}, either way
 * @param maxSkew         largest clock error; the server accepts up to 15 min ahead by default
 * @param offlineShare    devices that lose their connection once, buffer their readings, and upload them
 *                        as one batch when they are back
 * @param offlineFor      how long such a device stays offline (real time)
 */
public record Behaviours(double duplicateShare, double malformedShare, double skewedShare, Duration maxSkew,
        double offlineShare, Duration offlineFor) {

    /** Perfect devices: what a pure throughput test wants, so every value sent is a stored row. */
    public static final Behaviours NONE = new Behaviours(0, 0, 0, Duration.ZERO, 0, Duration.ofSeconds(20));
    /** Field-like imperfection; the shares are plausible guesses, documented so operators can change them. */
    public static final Behaviours REALISTIC = new Behaviours(0.005, 0.001, 0.1, Duration.ofMinutes(2), 0.05, Duration.ofSeconds(20));

    public Behaviours {
        share("duplicate", duplicateShare);
        share("malformed", malformedShare);
        share("skewed", skewedShare);
        share("offline", offlineShare);
        if (maxSkew.isNegative() || offlineFor.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }

    /** Whether any device misbehaves at all. */
    public boolean any() {
        return duplicateShare > 0 || malformedShare > 0 || skewedShare > 0 || offlineShare > 0;
    }

    private static void share(String name, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(name + " share must be between 0 and 1 (was " + v + ")");
        }
    }
}
