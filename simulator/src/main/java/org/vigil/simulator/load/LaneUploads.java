package org.vigil.simulator.load;

import java.util.function.LongConsumer;
import org.vigil.simulator.population.Payloads;

/**
 * What a lane's devices send: readings measured now, with the device's imperfections (garbled payloads,
 * duplicates); the readings a device buffered while offline or not yet connected, as one upload once it is
 * connected; and the readings a scenario chose. Every send is counted in the lane's {@link LaneStats}.
 *
 * <p>Confined to the lane's thread: it reuses one payload writer and one row of values for every message.
 */
final class LaneUploads {

    private static final long RETRY_NANOS = 100_000_000L;
    private static final int MAX_SCENARIO_RETRIES = 300;

    private final Traffic traffic;
    private final LaneStats stats;
    private final LaneTimers timers;
    private final LaneConnections connections;
    private final Payloads payloads = new Payloads();
    private final double[] scratch = new double[3];

    LaneUploads(Traffic traffic, LaneStats stats, LaneTimers timers, LaneConnections connections) {
        this.traffic = traffic;
        this.stats = stats;
        this.timers = timers;
        this.connections = connections;
    }

    /**
     * The device measures {@code n} entries now, {@code sinceStart} ns into the run, and sends them, or
     * buffers them when it is offline or not connected yet (asking for a connection: a home device connects
     * when it has something to send).
     */
    void measureAndSend(DeviceState d, int n, long sinceStart) {
        long wall = System.currentTimeMillis() + d.skewMillis;
        double hour = traffic.clock().hourOfDay(sinceStart);
        long first = d.timeline.plan(wall, n);
        if (d.offline || d.status != DeviceState.Status.CONNECTED) {
            ReadingBuffer buffer = d.buffer();
            for (int i = 0; i < n; i++) {
                d.physiology.measure(d.type, hour, d.random, scratch);
                if (buffer.add(d.timeline.at(first, i), scratch)) {
                    stats.error(ErrorKind.BUFFER_OVERFLOW);
                }
            }
            connections.request(d);
            return;
        }
        if (d.hasBuffered()) {
            flush(d);
        }
        payloads.begin(n);
        for (int i = 0; i < n; i++) {
            d.physiology.measure(d.type, hour, d.random, scratch);
            payloads.entry(d.timeline.at(first, i), d.metrics, scratch);
        }
        publish(d, payloads.finish(), n * d.metrics.size(), wall);
    }

    /** Sends with the device's imperfections (garbled payloads, duplicates). */
    private void publish(DeviceState d, byte[] payload, int readings, long wall) {
        double malformedShare = traffic.behaviours().malformedShare();
        if (malformedShare > 0 && d.random.nextDouble() < malformedShare) {
            Payloads.Malformation[] kinds = Payloads.Malformation.values();
            payload = payloads.malformed(kinds[d.random.nextInt(kinds.length)], wall, d.metrics, scratch);
            readings = 0;
            stats.malformed.increment();
        }
        if (!d.link.publish(payload, d.qos, readings)) {
            stats.error(d.link.connected() ? ErrorKind.WINDOW_FULL : ErrorKind.NOT_CONNECTED);
            return;
        }
        sent(d.qos, readings);
        double duplicateShare = traffic.behaviours().duplicateShare();
        if (duplicateShare > 0 && d.random.nextDouble() < duplicateShare && d.link.publish(payload, d.qos, 0)) {
            sent(d.qos, 0);
            stats.duplicates.increment();
        }
    }

    private void sent(int qos, int readings) {
        stats.sent.increment();
        stats.readingsSent.add(readings);
        if (qos == 0) {
            stats.qos0Sent.increment();
        }
    }

    /** Uploads what the device buffered as one message; retried shortly if its window is full. */
    void flush(DeviceState d) {
        if (!d.hasBuffered() || d.status != DeviceState.Status.CONNECTED || d.silenced) {
            return;
        }
        ReadingBuffer buffer = d.buffer;
        int n = buffer.size();
        payloads.begin(n);
        for (int i = 0; i < n; i++) {
            buffer.values(i, scratch);
            payloads.entry(buffer.time(i), d.metrics, scratch);
        }
        // Buffered uploads go at QoS 1 whatever the device streams at: losing a day of readings is not an option.
        if (d.link.publish(payloads.finish(), 1, n * d.metrics.size())) {
            sent(1, n * d.metrics.size());
            if (n > 1) {
                stats.bufferedUploads.increment();
            }
            buffer.clear();
        } else {
            timers.at(System.nanoTime() + RETRY_NANOS, () -> flush(d));
        }
    }

    /**
     * Uploads a scenario's readings from a device it owns, at QoS 1, retrying while the device is not
     * connected or its window is full. {@code published} receives {@link System#nanoTime()} at the send, or
     * -1 if it could not be sent.
     */
    void scenarioUpload(DeviceState d, long[] ts, double[][] values, LongConsumer published) {
        scenarioUpload(d, ts, values, published, 0);
    }

    private void scenarioUpload(DeviceState d, long[] ts, double[][] values, LongConsumer published, int attempt) {
        if (connections.stopping()) {
            published.accept(-1);
            return;
        }
        if (d.status == DeviceState.Status.CONNECTED) {
            payloads.begin(ts.length);
            for (int i = 0; i < ts.length; i++) {
                payloads.entry(ts[i], d.metrics, values[i]);
            }
            int readings = ts.length * d.metrics.size();
            if (d.link.publish(payloads.finish(), 1, readings)) {
                stats.offered.increment();
                sent(1, readings);
                published.accept(System.nanoTime());
                return;
            }
        }
        connections.request(d);
        if (attempt >= MAX_SCENARIO_RETRIES) {
            stats.error(ErrorKind.NOT_CONNECTED);
            published.accept(-1);
            return;
        }
        timers.at(System.nanoTime() + RETRY_NANOS, () -> scenarioUpload(d, ts, values, published, attempt + 1));
    }
}
