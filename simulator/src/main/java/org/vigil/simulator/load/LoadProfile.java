package org.vigil.simulator.load;

import java.util.Locale;

/**
 * Offered message rate over time: how many messages per second the simulator tries to publish, summed over
 * all connections, at each moment of the run. The number of connections is set apart, so the same profile
 * can be played by 100 or 50,000 devices.
 *
 * <p>Each profile has its closed-form integral, {@link #messagesBy(double)}: the pacer issues message
 * {@code k} when {@code messagesBy(t)} passes {@code k}, so the schedule never drifts however late a tick
 * runs. Pure functions of time; no clock inside.
 */
public sealed interface LoadProfile {

    /** Offered rate at {@code seconds} after the start, messages per second. */
    double rateAt(double seconds);

    /** Messages offered from the start up to {@code seconds}: the integral of {@link #rateAt(double)}. */
    double messagesBy(double seconds);

    /** The profile as shown in reports, e.g. {@code ramp 0 -> 5000 msg/s over 60 s}. */
    String describe();

    /** Short name: steady, ramp, spike, soak. */
    String name();

    /** The same rate throughout. */
    record Steady(double rate) implements LoadProfile {
        public Steady {
            positive("rate", rate);
        }

        @Override
        public double rateAt(double seconds) {
            return rate;
        }

        @Override
        public double messagesBy(double seconds) {
            return rate * Math.max(0, seconds);
        }

        @Override
        public String describe() {
            return "steady " + fmt(rate) + " msg/s";
        }

        @Override
        public String name() {
            return "steady";
        }
    }

    /** Linear from {@code from} to {@code to} over {@code overSeconds}, then holds {@code to}: finds the knee. */
    record Ramp(double from, double to, double overSeconds) implements LoadProfile {
        public Ramp {
            if (!(from >= 0) || !(to > 0) || !(overSeconds > 0)) {
                throw new IllegalArgumentException("a ramp needs from >= 0, to > 0 and a positive length");
            }
        }

        @Override
        public double rateAt(double seconds) {
            double t = Math.max(0, seconds);
            return t >= overSeconds ? to : from + (to - from) * t / overSeconds;
        }

        @Override
        public double messagesBy(double seconds) {
            double t = Math.max(0, seconds);
            if (t <= overSeconds) {
                return from * t + (to - from) * t * t / (2 * overSeconds);
            }
            return from * overSeconds + (to - from) * overSeconds / 2 + to * (t - overSeconds);
        }

        @Override
        public String describe() {
            return "ramp " + fmt(from) + " -> " + fmt(to) + " msg/s over " + fmt(overSeconds) + " s";
        }

        @Override
        public String name() {
            return "ramp";
        }
    }

    /**
     * {@code base} with a burst to {@code peak} from {@code atSeconds} for {@code lengthSeconds}: the morning
     * reconnect of a village after a power cut, or a gateway flushing its buffer.
     */
    record Spike(double base, double peak, double atSeconds, double lengthSeconds) implements LoadProfile {
        public Spike {
            positive("base rate", base);
            positive("spike rate", peak);
            if (!(atSeconds >= 0) || !(lengthSeconds > 0)) {
                throw new IllegalArgumentException("a spike needs a start >= 0 and a positive length");
            }
        }

        @Override
        public double rateAt(double seconds) {
            return seconds >= atSeconds && seconds < atSeconds + lengthSeconds ? peak : base;
        }

        @Override
        public double messagesBy(double seconds) {
            double t = Math.max(0, seconds);
            double inSpike = Math.max(0, Math.min(t, atSeconds + lengthSeconds) - atSeconds);
            return base * t + (peak - base) * inSpike;
        }

        @Override
        public String describe() {
            return "spike " + fmt(base) + " msg/s, " + fmt(peak) + " msg/s from " + fmt(atSeconds) + " s for "
                    + fmt(lengthSeconds) + " s";
        }

        @Override
        public String name() {
            return "spike";
        }
    }

    /**
     * A long run at a moderate rate that swings by {@code amplitude} (a fraction) over {@code periodSeconds},
     * as a day's traffic does, to show leaks, growing latency and slow degradation rather than a peak.
     */
    record Soak(double rate, double amplitude, double periodSeconds) implements LoadProfile {
        public Soak {
            positive("rate", rate);
            if (!(amplitude >= 0 && amplitude < 1) || !(periodSeconds > 0)) {
                throw new IllegalArgumentException("a soak needs 0 <= amplitude < 1 and a positive period");
            }
        }

        @Override
        public double rateAt(double seconds) {
            return rate * (1 + amplitude * Math.sin(2 * Math.PI * Math.max(0, seconds) / periodSeconds));
        }

        @Override
        public double messagesBy(double seconds) {
            double t = Math.max(0, seconds);
            double w = 2 * Math.PI / periodSeconds;
            return rate * (t + amplitude / w * (1 - Math.cos(w * t)));
        }

        @Override
        public String describe() {
            return "soak " + fmt(rate) + " msg/s ± " + fmt(amplitude * 100) + " % over " + fmt(periodSeconds) + " s";
        }

        @Override
        public String name() {
            return "soak";
        }
    }

    /** Highest rate the profile reaches within {@code seconds}, sampled; for sizing and validation. */
    default double peakRate(double seconds) {
        double peak = 0;
        int steps = 1000;
        for (int i = 0; i <= steps; i++) {
            peak = Math.max(peak, rateAt(seconds * i / steps));
        }
        return peak;
    }

    private static void positive(String what, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(what + " must be greater than 0 (was " + v + ")");
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
