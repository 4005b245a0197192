package org.vigil.simulator.load;

/**
 * Simulated time of day: the run starts at {@code startHour} of day 0 and simulated time passes
 * {@code timeScale} times faster than real time, so a day of home measurements (and its 07:00–09:00
 * connect storm) can play in minutes. Payload timestamps stay on the real clock; simulated time only decides
 * what patients measure and when.
 *
 * @param startHour  hour of the simulated day when the run starts, 0 to 24
 * @param timeScale  simulated seconds per real second, at least 1
 */
public record SimClock(double startHour, double timeScale) {

    public SimClock {
        if (!(startHour >= 0 && startHour < 24) || !(timeScale >= 1)) {
            throw new IllegalArgumentException("start hour in [0, 24) and time scale >= 1 expected");
        }
    }

    /** Simulated hours since the start of day 0 at {@code elapsedNanos} of real time into the run. */
    public double simHours(long elapsedNanos) {
        return startHour + elapsedNanos / 3.6e12 * timeScale;
    }

    /** Simulated hour of day, 0 to 24. */
    public double hourOfDay(long elapsedNanos) {
        return simHours(elapsedNanos) % 24;
    }

    /** Real nanoseconds into the run at which simulated time reaches {@code simHours}. */
    public long realNanosAt(double simHours) {
        return (long) ((simHours - startHour) * 3.6e12 / timeScale);
    }
}
