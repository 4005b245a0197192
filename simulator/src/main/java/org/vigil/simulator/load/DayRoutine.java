package org.vigil.simulator.load;

import java.util.List;
import org.vigil.simulator.population.DailySchedule;

/**
 * The day workload on one lane: each home device measures at the times of its patient's daily schedule,
 * in simulated time from the configured start of the day, and each wearable uploads its 1 Hz samples every
 * few seconds, staggered so that they do not all upload at once. Devices a scenario owns are left alone.
 * Confined to the lane's thread; once the lane's publishing phase has ended, its timed actions do nothing.
 */
record DayRoutine(List<DeviceState> devices, Traffic traffic, LaneStats stats, LaneTimers timers,
        LaneConnections connections, LaneUploads uploads, LanePacer pacer) {

    private static final long SECOND = 1_000_000_000L;

    /** Plans every device's first measurement or upload; call once the pacer has started. */
    void start() {
        long startNanos = pacer.startNanos();
        for (DeviceState d : devices) {
            if (d.owned) {
                continue;
            }
            if (d.type.streams()) {
                long every = traffic.wearableUploadNanos();
                long offset = (long) (d.random.nextDouble() * every);
                timers.at(startNanos + offset, () -> wearableUpload(d));
                connections.request(d);
            } else {
                d.day = 0;
                d.dayTimes = DailySchedule.day(d.type, d.random);
                d.nextInDay = 0;
                double startHour = traffic.clock().startHour();
                while (d.nextInDay < d.dayTimes.length && d.dayTimes[d.nextInDay] < startHour) {
                    d.nextInDay++;
                }
                scheduleMeasurement(d);
            }
        }
    }

    private void scheduleMeasurement(DeviceState d) {
        while (d.nextInDay >= d.dayTimes.length) {
            d.day++;
            d.dayTimes = DailySchedule.day(d.type, d.random);
            d.nextInDay = 0;
        }
        long startNanos = pacer.startNanos();
        double simHours = d.day * 24.0 + d.dayTimes[d.nextInDay];
        long due = startNanos + traffic.clock().realNanosAt(simHours);
        if (due - startNanos < traffic.durationNanos()) {
            timers.at(due, () -> {
                if (!pacer.running() || d.owned || d.silenced) {
                    return;
                }
                stats.offered.increment();
                uploads.measureAndSend(d, 1, System.nanoTime() - startNanos);
                d.nextInDay++;
                scheduleMeasurement(d);
            });
        }
    }

    private void wearableUpload(DeviceState d) {
        if (!pacer.running() || d.owned || d.silenced) {
            return;
        }
        stats.offered.increment();
        int samples = (int) Math.max(1, traffic.wearableUploadNanos() / SECOND);
        uploads.measureAndSend(d, samples, System.nanoTime() - pacer.startNanos());
        timers.at(System.nanoTime() + traffic.wearableUploadNanos(), () -> wearableUpload(d));
    }
}
