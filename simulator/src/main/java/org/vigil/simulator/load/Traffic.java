package org.vigil.simulator.load;

import java.util.Optional;
import org.vigil.simulator.population.Behaviours;

/**
 * What a run's lanes play, shared by all of them.
 *
 * @param profile          offered rate over time for the load workload; empty for the day workload, where
 *                         the patients' schedules make the traffic
 * @param durationNanos    the run stops this long after publishing starts
 * @param limit            most messages offered in all (background traffic; scenario uploads come on top)
 * @param batch            entries per load-workload message
 * @param behaviours       device imperfections
 * @param clock            simulated time of day
 * @param connectPerSecond new connections per second across all lanes
 * @param wearableUploadNanos  how often a wearable uploads its 1 Hz samples in the day workload
 */
public record Traffic(Optional<LoadProfile> profile, long durationNanos, long limit, int batch, Behaviours behaviours,
        SimClock clock, double connectPerSecond, long wearableUploadNanos) {
}
