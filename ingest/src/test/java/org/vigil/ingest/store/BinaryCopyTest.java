package org.vigil.ingest.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.vigil.common.model.MeasurementContext;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;

class BinaryCopyTest {

    @Test
    void aRowIsSevenFieldsBetweenHeaderAndTrailer() {
        BinaryCopy copy = new BinaryCopy();
        copy.reset();
        copy.add(new Reading(9, 42, Metric.GLUCOSE, Instant.parse("2000-01-01T00:00:01.500Z").toEpochMilli(), 5.5,
                MeasurementContext.FASTING), (3L << 32) + 7);
        copy.add(new Reading(9, 42, Metric.HEART_RATE, 0, 61), 8);
        copy.finish();
        ByteBuffer b = ByteBuffer.wrap(copy.bytes(), 0, copy.length());
        byte[] signature = new byte[11];
        b.get(signature);
        assertThat(signature).isEqualTo(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0});
        assertThat(b.getInt()).as("flags").isZero();
        assertThat(b.getInt()).as("header extension").isZero();
        assertThat(b.getShort()).as("fields").isEqualTo((short) 7);
        assertThat(b.getInt()).isEqualTo(8);
        assertThat(b.getLong()).as("patient").isEqualTo(42);
        assertThat(b.getInt()).isEqualTo(2);
        assertThat(b.getShort()).as("metric").isEqualTo((short) Metric.GLUCOSE.code());
        assertThat(b.getInt()).isEqualTo(8);
        assertThat(b.getLong()).as("microseconds since 2000-01-01").isEqualTo(1_500_000);
        assertThat(b.getInt()).isEqualTo(8);
        assertThat(b.getLong()).as("device").isEqualTo(9);
        assertThat(b.getInt()).isEqualTo(8);
        assertThat(b.getDouble()).as("value").isEqualTo(5.5);
        assertThat(b.getInt()).isEqualTo(8);
        assertThat(b.getLong()).as("log position").isEqualTo((3L << 32) + 7);
        assertThat(b.getInt()).isEqualTo(2);
        assertThat(b.getShort()).as("context").isEqualTo((short) MeasurementContext.FASTING.code());
        // A reading without a context: the same row with a NULL (length -1, no bytes) last.
        assertThat(b.getShort()).as("fields").isEqualTo((short) 7);
        b.position(b.position() + 4 + 8 + 4 + 2 + 4 + 8 + 4 + 8 + 4 + 8 + 4 + 8);
        assertThat(b.getInt()).as("context NULL").isEqualTo(-1);
        assertThat(b.getShort()).as("trailer").isEqualTo((short) -1);
        assertThat(b.hasRemaining()).isFalse();
    }

    @Test
    void theBufferGrowsAndIsReusedFromTheStart() {
        BinaryCopy copy = new BinaryCopy();
        copy.reset();
        for (int i = 0; i < 5000; i++) {
            copy.add(new Reading(1, 1, Metric.HEART_RATE, 1_700_000_000_000L + i, 60), i);
        }
        copy.finish();
        assertThat(copy.length()).isEqualTo(19 + 5000 * 72 + 2);
        copy.reset();
        copy.finish();
        assertThat(copy.length()).isEqualTo(21);
    }

    @Test
    void aTimeThatWouldOverflowBecomesOneThePostgresServerRefuses() {
        assertThat(BinaryCopy.micros(Long.MAX_VALUE / 2)).isEqualTo(BinaryCopy.OUT_OF_RANGE);
        assertThat(BinaryCopy.micros(Long.MIN_VALUE / 2)).isEqualTo(BinaryCopy.OUT_OF_RANGE);
        assertThat(BinaryCopy.micros(Long.MIN_VALUE)).isEqualTo(BinaryCopy.OUT_OF_RANGE);
        assertThat(BinaryCopy.micros(Long.MAX_VALUE)).isEqualTo(BinaryCopy.OUT_OF_RANGE);
        assertThat(BinaryCopy.micros(946_684_800_000L - 1)).isEqualTo(-1000);
    }
}
