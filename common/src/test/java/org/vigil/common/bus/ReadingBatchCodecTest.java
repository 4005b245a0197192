package org.vigil.common.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.common.model.MeasurementContext;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;

@Timeout(10)
class ReadingBatchCodecTest {

    private final ReadingBatchCodec codec = new ReadingBatchCodec();

    @Test
    void everyFieldSurvivesTheWireAfterOtherBytes() {
        ReadingBatch batch = new ReadingBatch(5, (5L << 32) + 17, List.of(
                new Reading(7, 42, Metric.SYSTOLIC_BP, 1_763_800_000_123L, 182.5),
                new Reading(Long.MAX_VALUE, 1, Metric.GLUCOSE, 0, 2.9, MeasurementContext.FASTING),
                new Reading(3, 9, Metric.BODY_TEMP, -5, 39.4)));
        Buffer buffer = Buffer.buffer().appendString("prefix");

        codec.encodeToWire(buffer, batch);
        ReadingBatch decoded = codec.decodeFromWire(6, buffer);

        assertThat(decoded).isEqualTo(batch);
    }

    @Test
    void anEmptyBatchRoundTrips() {
        Buffer buffer = Buffer.buffer();
        codec.encodeToWire(buffer, new ReadingBatch(1, 1L << 32, List.of()));
        assertThat(codec.decodeFromWire(0, buffer)).isEqualTo(new ReadingBatch(1, 1L << 32, List.of()));
    }
}
