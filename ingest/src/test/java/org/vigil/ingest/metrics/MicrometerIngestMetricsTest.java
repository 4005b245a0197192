package org.vigil.ingest.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MicrometerIngestMetricsTest {

    /** The connection gauge's supplier is referenced only by the gauge: it must survive a full GC. */
    @Test
    void theConnectionGaugeStillReadsAfterAGarbageCollection() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicInteger open = new AtomicInteger(7);
        new MicrometerIngestMetrics(registry, () -> open.get());
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        assertThat(registry.get(MicrometerIngestMetrics.CONNECTIONS).gauge().value()).isEqualTo(7.0);
    }
}
