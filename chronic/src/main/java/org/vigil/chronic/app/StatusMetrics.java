package org.vigil.chronic.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What this node's control-status work did: swept a period, or left it to the node that claimed it; re-evaluated
 * patients for their new readings, and how many wait for their refresh interval.
 */
interface StatusMetrics {

    String SWEEPS = "vigil.chronic.status.sweeps";
    String DESCRIPTION = "Control-status sweeps of a period, by this node or left to another";
    String REFRESHES = "vigil.chronic.status.refreshes";
    String WAITING = "vigil.chronic.status.refresh.waiting";

    void swept();

    void left();

    /** Patients re-evaluated for new readings. */
    void refreshed(int patients);

    /** Patients with new readings that wait for their refresh interval to pass. */
    void waiting(int patients);

    static StatusMetrics micrometer(MeterRegistry registry) {
        Counter swept = Counter.builder(SWEEPS).tag("outcome", "swept").description(DESCRIPTION).register(registry);
        Counter left = Counter.builder(SWEEPS).tag("outcome", "left_to_another_node").description(DESCRIPTION)
                .register(registry);
        Counter refreshed = Counter.builder(REFRESHES)
                .description("Patients whose control status was re-evaluated for new readings").register(registry);
        AtomicInteger waiting = new AtomicInteger();
        Gauge.builder(WAITING, waiting, AtomicInteger::get)
                .description("Patients with new readings waiting for their refresh interval to pass").register(registry);
        return new StatusMetrics() {
            @Override
            public void swept() {
                swept.increment();
            }

            @Override
            public void left() {
                left.increment();
            }

            @Override
            public void refreshed(int patients) {
                refreshed.increment(patients);
            }

            @Override
            public void waiting(int patients) {
                waiting.set(patients);
            }
        };
    }
}
