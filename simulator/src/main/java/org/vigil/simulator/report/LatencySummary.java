package org.vigil.simulator.report;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Percentiles of a latency histogram, in milliseconds, plus the percentile curve for charts.
 *
 * @param count  recorded values
 * @param meanMs mean
 * @param p50Ms  median
 * @param p90Ms  90th percentile
 * @param p99Ms  99th percentile
 * @param p999Ms 99.9th percentile
 * @param maxMs  largest value
 * @param curve  (percentile, ms) points from 0 towards 100, a few per halving of the tail
 */
public record LatencySummary(long count, double meanMs, double p50Ms, double p90Ms, double p99Ms, double p999Ms,
        double maxMs, List<Point> curve) {

    /** A point of the percentile curve. */
    public record Point(double percentile, double ms) {
    }

    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0, 0, List.of());

    public LatencySummary {
        curve = List.copyOf(curve);
    }

    /**
     * Summarises a histogram of {@code unitsPerMs} units per millisecond (1000 for microseconds).
     */
    public static LatencySummary of(Histogram h, double unitsPerMs) {
        if (h.getTotalCount() == 0) {
            return EMPTY;
        }
        List<Point> curve = new ArrayList<>();
        for (HistogramIterationValue v : h.percentiles(5)) {
            curve.add(new Point(v.getPercentileLevelIteratedTo(), v.getValueIteratedTo() / unitsPerMs));
            if (curve.size() > 400) {
                break;
            }
        }
        return new LatencySummary(h.getTotalCount(), h.getMean() / unitsPerMs,
                h.getValueAtPercentile(50) / unitsPerMs, h.getValueAtPercentile(90) / unitsPerMs,
                h.getValueAtPercentile(99) / unitsPerMs, h.getValueAtPercentile(99.9) / unitsPerMs,
                h.getMaxValue() / unitsPerMs, curve);
    }
}
