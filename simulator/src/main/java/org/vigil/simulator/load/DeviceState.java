package org.vigil.simulator.load;

import java.util.List;
import java.util.SplittableRandom;
import org.vigil.simulator.population.DeviceType;
import org.vigil.simulator.population.Metric;
import org.vigil.simulator.population.Physiology;

/**
 * Everything a lane keeps about one of its devices. Confined to the lane's thread. Kept small on purpose
 * (a few dozen fields, no per-message objects): at 50,000 devices every byte here is 50 kB of heap.
 */
final class DeviceState {

    enum Status { IDLE, QUEUED, CONNECTING, CONNECTED }

    final int index;
    final String serial;
    final DeviceType type;
    final List<Metric> metrics;
    final Physiology physiology;
    final SplittableRandom random;
    final DeviceLink link;
    final EntryTimeline timeline = new EntryTimeline();
    final long skewMillis;
    final int qos;
    Status status = Status.IDLE;
    ReadingBuffer buffer;
    /** Simulated offline period (a behaviour): readings are buffered, no connection. */
    boolean offline;
    /** Driven by a scenario: no background or scheduled traffic. */
    boolean owned;
    /** Silenced by a scenario: never sends or reconnects again. */
    boolean silenced;
    int failedConnects;
    /** Day workload: today's measurement hours, the next one's index, and the simulated day. */
    double[] dayTimes;
    int nextInDay;
    int day;

    DeviceState(int index, String serial, DeviceType type, Physiology physiology, SplittableRandom random, DeviceLink link,
            long skewMillis, int qos) {
        this.index = index;
        this.serial = serial;
        this.type = type;
        this.metrics = type.metrics();
        this.physiology = physiology;
        this.random = random;
        this.link = link;
        this.skewMillis = skewMillis;
        this.qos = qos;
    }

    ReadingBuffer buffer() {
        if (buffer == null) {
            buffer = new ReadingBuffer(metrics.size());
        }
        return buffer;
    }

    boolean hasBuffered() {
        return buffer != null && buffer.size() > 0;
    }
}
