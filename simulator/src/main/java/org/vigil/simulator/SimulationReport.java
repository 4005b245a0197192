package org.vigil.simulator;

import java.time.Duration;
import java.util.Locale;

/**
 * The outcome of a simulation run.
 *
 * <p>Every publish attempt ends up in exactly one of: acknowledged, failed, or (if the server never
 * answered within the wait at the end) neither. {@code sent} counts the attempts the MQTT client
 * accepted; attempts it refused (too many in flight, not connected) are only in {@code failed}.
 *
 * @param devices       devices that published
 * @param sent          messages accepted by the MQTT clients
 * @param acknowledged  of those, acknowledged: PUBACK received at QoS 1, written to the socket at QoS 0
 * @param failed        refused by a client, plus sent messages whose delivery failed
 * @param readingsSent  values (server-side readings) in the sent messages; a message with {@code --batch}
 *                      entries of a three-metric device holds {@code 3 x batch}
 * @param elapsed       length of the publishing phase (not counting the wait for late acknowledgements)
 * @param achievedRate  {@code sent} per second of {@code elapsed}
 * @param p50LatencyMs  median time from publish to acknowledgement, ms (0 when nothing was acknowledged)
 * @param p99LatencyMs  99th percentile of that time, ms (0 when nothing was acknowledged)
 */
public record SimulationReport(int devices, long sent, long acknowledged, long failed, long readingsSent,
        Duration elapsed, double achievedRate, double p50LatencyMs, double p99LatencyMs) {

    /** Sent messages that were not acknowledged (failed after sending, or never answered). */
    public long unacknowledged() {
        return sent - acknowledged;
    }

    /** Whether every attempt was sent and acknowledged; the CLI exits with 0 exactly then. */
    public boolean allAcknowledged() {
        return failed == 0 && acknowledged == sent;
    }

    /** The summary the CLI prints at the end. */
    public String summary() {
        String latency = acknowledged == 0 ? "n/a"
                : String.format(Locale.ROOT, "p50 %.2f ms, p99 %.2f ms", p50LatencyMs, p99LatencyMs);
        return String.format(Locale.ROOT,
                "Summary: %d devices, %.2f s: sent %,d messages (%,d readings) at %,.1f msg/s%n"
                        + "         acknowledged %,d/%,d, unacknowledged %,d, failed %,d; ack latency %s%n"
                        + "         %s",
                devices, elapsed.toMillis() / 1000.0, sent, readingsSent, achievedRate,
                acknowledged, sent, unacknowledged(), failed, latency,
                allAcknowledged() ? "OK: every sent message was acknowledged" : "NOT OK: some messages were not acknowledged");
    }
}
