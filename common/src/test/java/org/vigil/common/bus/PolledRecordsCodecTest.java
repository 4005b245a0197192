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
class PolledRecordsCodecTest {

    private final PolledRecordsCodec codec = new PolledRecordsCodec();

    @Test
    void recordsOfDifferentSizesSurviveTheWireAfterOtherBytes() {
        PolledRecords polled = new PolledRecords(List.of(
                new ReadingBatch(5, (5L << 32) + 17, List.of(
                        new Reading(7, 42, Metric.SYSTOLIC_BP, 1_763_800_000_123L, 182.5),
                        new Reading(7, 42, Metric.DIASTOLIC_BP, 1_763_800_000_123L, 101))),
                new ReadingBatch(6, 6L << 32, List.of()),
                new ReadingBatch(5, (5L << 32) + 18, List.of(
                        new Reading(3, 9, Metric.GLUCOSE, -5, 2.9, MeasurementContext.FASTING)))));
        Buffer buffer = Buffer.buffer().appendString("prefix");

        codec.encodeToWire(buffer, polled);

        assertThat(codec.decodeFromWire(6, buffer)).isEqualTo(polled);
    }

    @Test
    void anEmptyPollRoundTrips() {
        Buffer buffer = Buffer.buffer();
        codec.encodeToWire(buffer, new PolledRecords(List.of()));
        assertThat(codec.decodeFromWire(0, buffer)).isEqualTo(new PolledRecords(List.of()));
    }
}
