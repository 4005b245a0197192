package org.vigil.chronic.control;

/**
 * How many home readings of one metric fell in a window, and their sum: all a mean needs, so a metric measured
 * every minute is read as two numbers rather than row by row.
 */
public record ReadingTotals(int count, double sum) {

    public ReadingTotals {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
    }

    double mean() {
        return sum / count;
    }
}
