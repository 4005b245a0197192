package org.vigil.simulator.load;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.vigil.simulator.report.LatencySummary;
import org.vigil.simulator.report.SecondSample;

/**
 * Reads the lanes once a second for the progress line and the throughput-over-time series, and keeps the
 * run's total PUBACK latency histogram. Single-threaded: only the progress thread calls {@link #sample(long)}
 * (and the run's thread, after that thread is stopped, for the final figures).
 */
public final class StatsCollector {

    /**
     * What one sample saw.
     *
     * @param totals    counters since the start
     * @param interval  the second just ended
     */
    public record Sample(Totals totals, SecondSample interval) {
    }

    private final List<LaneStats> lanes;
    private final Histogram total = new Histogram(LaneStats.MAX_LATENCY_MICROS, LaneStats.SIGNIFICANT_DIGITS);
    private final Histogram interval = new Histogram(LaneStats.MAX_LATENCY_MICROS, LaneStats.SIGNIFICANT_DIGITS);
    private final List<SecondSample> series = new ArrayList<>();
    private Totals last;

    public StatsCollector(List<LaneStats> lanes) {
        this.lanes = List.copyOf(lanes);
        this.last = Totals.of(this.lanes);
    }

    /** Takes a sample at {@code elapsedNanos} since publishing started and appends it to the series. */
    public Sample sample(long elapsedNanos) {
        interval.reset();
        for (LaneStats s : lanes) {
            s.drainLatency(interval);
        }
        total.add(interval);
        Totals now = Totals.of(lanes);
        boolean any = interval.getTotalCount() > 0;
        SecondSample second = new SecondSample((int) Math.round(elapsedNanos / 1e9),
                now.offered() - last.offered(), now.sent() - last.sent(), now.acknowledged() - last.acknowledged(),
                now.errorCount() - last.errorCount(),
                any ? interval.getValueAtPercentile(50) / 1000.0 : 0, any ? interval.getValueAtPercentile(99) / 1000.0 : 0,
                any ? interval.getMaxValue() / 1000.0 : 0, now.inFlight(), now.connected());
        series.add(second);
        last = now;
        return new Sample(now, second);
    }

    /** Counters now, without touching the series. */
    public Totals totals() {
        return Totals.of(lanes);
    }

    /** The PUBACK latency of the whole run, including what no sample has taken yet. */
    public LatencySummary latency() {
        Histogram rest = new Histogram(LaneStats.MAX_LATENCY_MICROS, LaneStats.SIGNIFICANT_DIGITS);
        for (LaneStats s : lanes) {
            s.drainLatency(rest);
        }
        total.add(rest);
        return LatencySummary.of(total, 1000.0);
    }

    /** The per-second series so far. */
    public List<SecondSample> series() {
        return List.copyOf(series);
    }
}
