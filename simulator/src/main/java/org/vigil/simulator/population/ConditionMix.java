package org.vigil.simulator.population;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * How a population's primary conditions are shared out, as weights (they need not add up to 100).
 *
 * @param weights  weight of each condition as the primary one; absent conditions weigh 0
 */
public record ConditionMix(Map<Condition, Double> weights) {

    /**
     * Roughly the chronic-disease panel of a primary-care programme: hypertension dominates, diabetes
     * follows, COPD and heart failure are smaller groups.
     */
    public static final ConditionMix DEFAULT = parse("hypertension=45,diabetes=30,copd=12,heart_failure=13");

    public ConditionMix {
        EnumMap<Condition, Double> copy = new EnumMap<>(Condition.class);
        double total = 0;
        for (Map.Entry<Condition, Double> e : weights.entrySet()) {
            double w = e.getValue();
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException(e.getKey().wireName() + " weight must be a number >= 0");
            }
            copy.put(e.getKey(), w);
            total += w;
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("at least one condition needs a weight above 0");
        }
        weights = Map.copyOf(copy);
    }

    /**
     * Parses {@code hypertension=45,diabetes=30,...}.
     *
     * @throws IllegalArgumentException naming the malformed part
     */
    public static ConditionMix parse(String text) {
        Map<Condition, Double> weights = new EnumMap<>(Condition.class);
        for (String part : text.split(",")) {
            String[] kv = part.trim().split("=", -1);
            Condition c = kv.length == 2 ? Condition.fromWire(kv[0].trim().toLowerCase(Locale.ROOT)) : null;
            if (c == null) {
                throw new IllegalArgumentException("expected condition=weight with a condition among hypertension, diabetes,"
                        + " copd, heart_failure (was '" + part.trim() + "')");
            }
            try {
                if (weights.put(c, Double.parseDouble(kv[1].trim())) != null) {
                    throw new IllegalArgumentException(c.wireName() + " given twice");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("weight of " + c.wireName() + " is not a number (was '" + kv[1] + "')");
            }
        }
        return new ConditionMix(weights);
    }

    /** Draws a primary condition with these weights. */
    public Condition draw(Random random) {
        double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
        double p = random.nextDouble() * total;
        Condition last = null;
        for (Condition c : Condition.values()) {
            Double w = weights.get(c);
            if (w == null || w == 0) {
                continue;
            }
            last = c;
            if (p < w) {
                return c;
            }
            p -= w;
        }
        return last;
    }

    /** The mix as it is written on the command line. */
    public String text() {
        StringBuilder s = new StringBuilder();
        for (Condition c : Condition.values()) {
            Double w = weights.get(c);
            if (w != null) {
                s.append(s.isEmpty() ? "" : ",").append(c.wireName()).append('=').append(w == Math.rint(w) ? Long.toString(w.longValue()) : w.toString());
            }
        }
        return s.toString();
    }
}
