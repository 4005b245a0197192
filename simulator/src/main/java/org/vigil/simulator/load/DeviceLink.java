package org.vigil.simulator.load;

import java.util.function.Consumer;

/**
 * One device's MQTT connection, whichever client library carries it. The lane that owns the device is
 * the only caller, always on its own thread; completions come back on that thread too.
 *
 * <p>A link keeps at most {@code window} QoS 1 messages unacknowledged: {@link #publish} refuses more, so a
 * slow server shows up as {@link ErrorKind#WINDOW_FULL} instead of as unbounded client buffers.
 */
interface DeviceLink {

    /** Outcome of a connection attempt, reported on the lane's thread. */
    enum ConnectOutcome { CONNECTED, REFUSED, FAILED }

    /**
     * Connects. {@code done} receives the outcome; {@code lost} is called if an established connection
     * later closes without {@link #disconnect()}.
     */
    void connect(Consumer<ConnectOutcome> done, Runnable lost);

    boolean connected();

    /** QoS 1 messages sent and not yet acknowledged. */
    int inFlight();

    /**
     * Sends a message; acknowledgements are recorded in the lane's {@link LaneStats}.
     *
     * @param readings values in the message, counted as acknowledged with its PUBACK
     * @return false if not sent: not connected, or the window is full
     */
    boolean publish(byte[] payload, int qos, int readings);

    /**
     * Counts QoS 1 messages unacknowledged for longer than the ack timeout as {@link ErrorKind#ACK_TIMEOUT}
     * and, if there were any, closes the connection as a device that gave up on it would. Called by the
     * lane about once a second; {@code now} is {@link System#nanoTime()}. Clients that time out messages
     * themselves do nothing here.
     */
    default void expireOverdue(long now) {
    }

    /** Disconnects politely; in-flight messages still acknowledged are counted, the rest are lost. */
    void disconnect();

    /** Messages in flight that will never be acknowledged now; reset to 0. For the end-of-run count. */
    int abandon();
}
