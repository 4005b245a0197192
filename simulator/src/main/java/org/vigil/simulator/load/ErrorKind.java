package org.vigil.simulator.load;

import java.util.Locale;

/** Kinds of failure a run counts separately; each appears in the report by its {@link #key()}. */
public enum ErrorKind {
    /** The server answered CONNACK with a refusal (bad credentials, server unavailable). */
    CONNECT_REFUSED,
    /** The TCP connection or the MQTT handshake failed or timed out. */
    CONNECT_FAILED,
    /** An established connection closed without the simulator asking for it. */
    CONNECTION_LOST,
    /** A message was due while the device already had its window of unacknowledged messages: not sent. */
    WINDOW_FULL,
    /** A message was due while the device was (re)connecting; not sent. */
    NOT_CONNECTED,
    /** The client could not send a message. */
    PUBLISH_FAILED,
    /** No PUBACK within the client's acknowledgement timeout. */
    ACK_TIMEOUT,
    /** Sent, then the connection dropped before the PUBACK came. */
    LOST_IN_FLIGHT,
    /** Still without PUBACK when the run ended (after its bounded wait). */
    UNACKNOWLEDGED,
    /** A device offline longer than its buffer holds dropped its oldest readings. */
    BUFFER_OVERFLOW,
    /**
     * Due by the profile but never issued: the simulator itself fell behind (CPU starved, often because it
     * shares the machine with the server). Counted in {@code offered}; the offered rate was not really offered.
     */
    SIMULATOR_BEHIND;

    /** The report key, e.g. {@code window_full}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
