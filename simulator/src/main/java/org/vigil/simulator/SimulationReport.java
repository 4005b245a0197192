package org.vigil.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vigil.simulator.report.LatencySummary;
import org.vigil.simulator.report.ScenarioVerdict;
import org.vigil.simulator.report.SecondSample;
import org.vigil.simulator.report.UnexplainedAlert;

/**
 * The outcome of a simulation run: what was offered, sent and acknowledged, the latencies, the throughput
 * second by second, errors by kind, and the scenarios' verdicts. {@code report.json} is this record;
 * {@code report.html} shows it.
 *
 * <p>Every publish attempt ends up in exactly one of: acknowledged, failed, or (if the server never
 * answered within the wait at the end) unacknowledged.
 *
 * @param startedAt        when publishing started
 * @param setup            the run's settings as text (client, workload, profile, population, ...)
 * @param machine          where the simulator ran (cores, max heap, Java version)
 * @param devices          devices (MQTT connections) simulated
 * @param patients         patients in the population
 * @param doctors          doctors in the population
 * @param connected        devices connected at the end of the connect phase (all, for the load workload)
 * @param connectSeconds   time to connect them
 * @param heapPerConnectionBytes  heap used per connected device, measured around the connect phase
 *                         (after a GC on each side); -1 when not measured
 * @param elapsed          length of the publishing phase (without the wait for late acknowledgements)
 * @param offered          messages the profile or the schedules made due
 * @param sent             messages published (duplicates included)
 * @param acknowledged     PUBACKs received at QoS 1, plus messages written at QoS 0
 * @param failed           errors of every kind (see {@code errors})
 * @param readingsSent     values in the published messages, duplicates and malformed payloads excluded:
 *                         what the server should store
 * @param readingsAcknowledged  values in acknowledged QoS 1 messages
 * @param qos0Sent         messages sent at QoS 0
 * @param duplicates       uploads sent twice on purpose
 * @param malformed        garbled payloads sent on purpose (counted apart from errors)
 * @param bufferedUploads  uploads of readings buffered while offline
 * @param offeredRate      offered per second of {@code elapsed}
 * @param achievedRate     {@code sent} per second of {@code elapsed}
 * @param acknowledgedRate acknowledged per second of {@code elapsed}
 * @param errors           errors by kind, e.g. {@code window_full}
 * @param pubackLatency    publish to PUBACK
 * @param alertLatency     scenario upload (or silence) to the alert on the doctor's feed
 * @param series           throughput and latency second by second
 * @param scenarios        one verdict per injected scenario
 * @param unexplainedAlerts alerts no scenario explains (false alarms)
 * @param alertEvents      alert events received on the feeds
 */
public record SimulationReport(Instant startedAt, Map<String, String> setup, Map<String, String> machine,
        int devices, int patients, int doctors, int connected, double connectSeconds, long heapPerConnectionBytes,
        Duration elapsed, long offered, long sent, long acknowledged, long failed, long readingsSent,
        long readingsAcknowledged, long qos0Sent, long duplicates, long malformed, long bufferedUploads,
        double offeredRate, double achievedRate, double acknowledgedRate, Map<String, Long> errors,
        LatencySummary pubackLatency, LatencySummary alertLatency, List<SecondSample> series,
        List<ScenarioVerdict> scenarios, List<UnexplainedAlert> unexplainedAlerts, int alertEvents) {

    public SimulationReport {
        // Insertion order is the order people read them in.
        setup = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(setup));
        machine = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(machine));
        errors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(errors));
        series = List.copyOf(series);
        scenarios = List.copyOf(scenarios);
        unexplainedAlerts = List.copyOf(unexplainedAlerts);
    }

    /** Sent messages that were not acknowledged (failed after sending, or never answered). */
    public long unacknowledged() {
        return sent - acknowledged;
    }

    /** Median PUBACK latency, ms. */
    public double p50LatencyMs() {
        return pubackLatency.p50Ms();
    }

    /** 99th percentile PUBACK latency, ms. */
    public double p99LatencyMs() {
        return pubackLatency.p99Ms();
    }

    /**
     * Whether every attempt was sent and acknowledged. Messages the simulator itself failed to issue in time
     * ({@code simulator_behind}) are not the server's doing and are reported apart, not here.
     */
    public boolean allAcknowledged() {
        return failed - simulatorBehind() == 0 && acknowledged == sent;
    }

    /** Messages due that the simulator could not issue in time (it was starved of CPU). */
    public long simulatorBehind() {
        return errors.getOrDefault("simulator_behind", 0L);
    }

    /** Whether every scenario passed (true when there were none). */
    public boolean scenariosPassed() {
        return scenarios.stream().allMatch(ScenarioVerdict::passed);
    }

    /** The summary the CLI prints at the end. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        String latency = pubackLatency.count() == 0 ? "n/a"
                : String.format(Locale.ROOT, "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.1f ms",
                        pubackLatency.p50Ms(), pubackLatency.p90Ms(), pubackLatency.p99Ms(), pubackLatency.p999Ms(), pubackLatency.maxMs());
        s.append(String.format(Locale.ROOT,
                "Summary: %,d devices (%,d patients, %,d doctors), %.2f s: offered %,d, sent %,d messages (%,d readings)"
                        + " at %,.1f msg/s, acknowledged %,d (%,.1f/s)%n"
                        + "         unacknowledged %,d, errors %,d%s; PUBACK latency %s%n",
                devices, patients, doctors, elapsed.toMillis() / 1000.0, offered, sent, readingsSent, achievedRate,
                acknowledged, acknowledgedRate, unacknowledged(), failed, errors.isEmpty() ? "" : " " + errors, latency));
        if (heapPerConnectionBytes >= 0) {
            s.append(String.format(Locale.ROOT, "         connected %,d in %.1f s, heap %,d bytes per connection%n",
                    connected, connectSeconds, heapPerConnectionBytes));
        }
        if (duplicates + malformed + bufferedUploads + qos0Sent > 0) {
            s.append(String.format(Locale.ROOT, "         behaviours: %,d at QoS 0, %,d duplicates, %,d malformed, %,d buffered uploads%n",
                    qos0Sent, duplicates, malformed, bufferedUploads));
        }
        for (ScenarioVerdict v : scenarios) {
            s.append(String.format(Locale.ROOT, "         scenario %-22s %-14s %s%n", v.scenario(), v.outcome(), v.detail()));
        }
        if (!scenarios.isEmpty() || alertEvents > 0) {
            s.append(String.format(Locale.ROOT, "         alert events %,d, unexplained (false alarms) %,d%s%n", alertEvents,
                    unexplainedAlerts.size(), alertLatency.count() == 0 ? ""
                            : String.format(Locale.ROOT, "; publish-to-alert p50 %.0f ms, max %.0f ms", alertLatency.p50Ms(), alertLatency.maxMs())));
        }
        if (simulatorBehind() > 0) {
            s.append(String.format(Locale.ROOT, "         NOTE: the simulator fell behind its schedule by %,d messages (CPU starved):"
                    + " the offered rate was not fully offered%n", simulatorBehind()));
        }
        s.append("         ").append(allAcknowledged() ? "OK: every sent message was acknowledged" : "NOT OK: some messages were not acknowledged");
        if (!scenarios.isEmpty()) {
            s.append(scenariosPassed() ? "; every scenario passed" : "; NOT OK: some scenario did not pass");
        }
        return s.toString();
    }
}
