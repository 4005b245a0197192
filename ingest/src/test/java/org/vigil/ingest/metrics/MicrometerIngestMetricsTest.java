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

    /** Verifies that every refusal reason is exported at 0 before the first refusal, so a rate of it reads 0. */
    @Test
    void everyRefusalReasonIsCountedFromTheStart() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerIngestMetrics metrics = new MicrometerIngestMetrics(registry, () -> 0);

        for (String reason : IngestMetrics.CONNECT_REFUSAL_REASONS) {
            assertThat(registry.get(MicrometerIngestMetrics.CONNECTS_REFUSED).tag("reason", reason).counter().count())
                    .as(reason).isZero();
        }
        metrics.connectRefused("revoked");
        assertThat(registry.get(MicrometerIngestMetrics.CONNECTS_REFUSED).tag("reason", "revoked").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void theWriterQueueIsReadWhenScraped() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerIngestMetrics metrics = new MicrometerIngestMetrics(registry, () -> 0);
        AtomicInteger queued = new AtomicInteger();
        metrics.writerQueue(queued::get, 40_000);

        queued.set(123);
        System.gc();
        assertThat(registry.get(MicrometerIngestMetrics.WRITER_QUEUED).gauge().value()).isEqualTo(123.0);
        assertThat(registry.get(MicrometerIngestMetrics.WRITER_CAPACITY).gauge().value()).isEqualTo(40_000.0);
    }

    @Test
    void messagesAndTheirTimeToStorageAreCounted() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerIngestMetrics metrics = new MicrometerIngestMetrics(registry, () -> 0);
        assertThat(registry.get(MicrometerIngestMetrics.MESSAGES).counter().count()).isZero();

        metrics.messageReceived();
        metrics.messageStored(3_000_000);
        assertThat(registry.get(MicrometerIngestMetrics.MESSAGES).counter().count()).isEqualTo(1.0);
        assertThat(registry.get(MicrometerIngestMetrics.MESSAGE_LATENCY).timer().totalTime(java.util.concurrent.TimeUnit.MILLISECONDS))
                .isEqualTo(3.0);
    }
}
