package org.vigil.chronic.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** What the control-status sweeps of this node did: swept a period, or left it to the node that claimed it. */
interface SweepMetrics {

    String SWEEPS = "vigil.chronic.status.sweeps";
    String DESCRIPTION = "Control-status sweeps of a period, by this node or left to another";

    void swept();

    void left();

    static SweepMetrics micrometer(MeterRegistry registry) {
        Counter swept = Counter.builder(SWEEPS).tag("outcome", "swept").description(DESCRIPTION).register(registry);
        Counter left = Counter.builder(SWEEPS).tag("outcome", "left_to_another_node").description(DESCRIPTION)
                .register(registry);
        return new SweepMetrics() {
            @Override
            public void swept() {
                swept.increment();
            }

            @Override
            public void left() {
                left.increment();
            }
        };
    }
}
