package org.vigil.simulator;

import java.time.Duration;
import java.util.Locale;

/**
 * A snapshot of a running simulation, taken once a second.
 *
 * @param elapsed        time since publishing started
 * @param connected      open device connections
 * @param sent           messages published so far
 * @param acknowledged   of those, acknowledged so far (PUBACK at QoS 1, written at QoS 0)
 * @param errors         errors of any kind so far
 * @param inFlight       QoS 1 messages awaiting PUBACK
 * @param intervalRate   messages sent per second over the last second
 * @param ackRate        acknowledgements per second over the last second
 * @param intervalP50Ms  median PUBACK latency over the last second, ms (0 without PUBACKs)
 * @param intervalP99Ms  99th percentile of it, ms
 * @param alerts         alert events received on the doctors' feeds so far
 */
public record Progress(Duration elapsed, long connected, long sent, long acknowledged, long errors, long inFlight,
        double intervalRate, double ackRate, double intervalP50Ms, double intervalP99Ms, int alerts) {

    /** The progress line the CLI prints. */
    public String line() {
        return String.format(Locale.ROOT,
                "%6.1fs  conn %,d  rate %,.0f/s  acked %,d (%,.0f/s)  errors %,d  in flight %,d  PUBACK p50 %.1f ms p99 %.1f ms%s",
                elapsed.toMillis() / 1000.0, connected, intervalRate, acknowledged, ackRate, errors, inFlight,
                intervalP50Ms, intervalP99Ms, alerts > 0 ? "  alerts " + alerts : "");
    }
}
