package org.vigil.simulator.report;

/**
 * One second of a run, as the throughput-over-time series records it.
 *
 * @param second        seconds since publishing started (the end of the interval)
 * @param offered       messages due by the profile or the schedules in this second
 * @param sent          messages published
 * @param acknowledged  PUBACKs received (and QoS 0 messages written)
 * @param errors        errors of any kind
 * @param p50Ms         median PUBACK latency of this second, ms (0 without PUBACKs)
 * @param p99Ms         99th percentile of it, ms
 * @param maxMs         slowest PUBACK of this second, ms
 * @param inFlight      QoS 1 messages awaiting PUBACK at the end of the second
 * @param connected     open device connections at the end of the second
 */
public record SecondSample(int second, long offered, long sent, long acknowledged, long errors, double p50Ms, double p99Ms,
        double maxMs, long inFlight, long connected) {
}
