package org.vigil.simulator.load;

import java.util.function.LongConsumer;

/**
 * What a clinical scenario may do with the one device it owns: take it out of the background traffic,
 * upload chosen readings at chosen times, and silence it. Set up before the run starts; the actions then run
 * on the device's lane.
 */
public final class ScenarioDriver {

    private final Lane lane;
    private final DeviceState device;

    ScenarioDriver(Lane lane, DeviceState device) {
        this.lane = lane;
        this.device = device;
    }

    /** Takes the device out of background and scheduled traffic; call before the run starts. */
    public void own() throws InterruptedException {
        lane.call(() -> {
            device.owned = true;
            return null;
        });
    }

    /**
     * At {@code offsetNanos} after the start, uploads {@code values[i]} measured at {@code ts[i]} (epoch ms)
     * as one QoS 1 message; {@code published} gets {@link System#nanoTime()} at the send, or -1 if the device
     * could not send. Register before the run starts.
     */
    public void uploadAt(long offsetNanos, long[] ts, double[][] values, LongConsumer published) {
        lane.execute(() -> lane.atOffset(offsetNanos, () -> lane.scenarioUpload(device, ts, values, published)));
    }

    /**
     * At {@code offsetNanos} after the start, the device stops for good: with {@code disconnect} it drops its
     * connection (a device gone silent); without, it stays connected and just sends nothing (a patient who
     * stopped measuring). {@code done} gets {@link System#nanoTime()} when it happened.
     */
    public void silenceAt(long offsetNanos, boolean disconnect, LongConsumer done) {
        lane.execute(() -> lane.atOffset(offsetNanos, () -> {
            lane.silence(device, disconnect);
            done.accept(System.nanoTime());
        }));
    }
}
