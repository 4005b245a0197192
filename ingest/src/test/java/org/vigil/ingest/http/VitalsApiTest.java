package org.vigil.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Verifies how far a chart's series is down-sampled for the period asked for. */
@Timeout(10)
class VitalsApiTest {

    @Test
    void shortPeriodsAreRawLongOnesBucketedToAFewThousandPoints() {
        assertThat(VitalsApi.bucketFor(Duration.ofHours(12))).isZero();
        assertThat(VitalsApi.bucketFor(Duration.ofDays(2))).isZero();
        assertThat(VitalsApi.bucketFor(Duration.ofDays(7))).isEqualTo(Duration.ofMinutes(5));
        assertThat(VitalsApi.bucketFor(Duration.ofDays(30))).isEqualTo(Duration.ofHours(1));
        assertThat(VitalsApi.bucketFor(Duration.ofDays(90))).isEqualTo(Duration.ofHours(1));
        assertThat(VitalsApi.bucketFor(Duration.ofDays(365))).isEqualTo(Duration.ofDays(1));
        // 90 days of a reading a minute: 2,160 hourly points instead of 129,600 readings.
        assertThat(Duration.ofDays(90).dividedBy(VitalsApi.bucketFor(Duration.ofDays(90)))).isEqualTo(2_160);
    }
}
