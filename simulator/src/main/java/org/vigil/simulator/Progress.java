package org.vigil.simulator;

import java.time.Duration;
import java.util.Locale;

/**
 * A snapshot of a running simulation, taken about once a second.
 *
 * @param elapsed         time since publishing started
 * @param sent            messages accepted by the MQTT clients so far
 * @param acknowledged    of those, acknowledged so far (PUBACK at QoS 1, written at QoS 0)
 * @param failed          refused by a client or failed after sending, so far
 * @param inFlight        sent and not yet acknowledged or failed
 * @param intervalRate    messages sent per second since the previous snapshot
 * @param intervalP99Ms   99th percentile acknowledgement latency since the previous snapshot, ms;
 *                        0 when nothing was acknowledged
 */
public record Progress(Duration elapsed, long sent, long acknowledged, long failed, long inFlight,
        double intervalRate, double intervalP99Ms) {

    /** The progress line the CLI prints. */
    public String line() {
        return String.format(Locale.ROOT, "%5.1fs  sent %,d (%,.0f/s)  acked %,d  failed %,d  in flight %,d  p99 %.1f ms",
                elapsed.toMillis() / 1000.0, sent, intervalRate, acknowledged, failed, inFlight, intervalP99Ms);
    }
}
