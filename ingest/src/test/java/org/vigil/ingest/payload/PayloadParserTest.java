package org.vigil.ingest.payload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;

@Timeout(10)
class PayloadParserTest {

    private static final long NOW = Instant.parse("2026-11-22T08:00:00Z").toEpochMilli();
    private final PayloadParser parser = new PayloadParser(Duration.ofDays(30), Duration.ofMinutes(15), 100);

    private ParseResult parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8), 7, 42, NOW);
    }

    @Test
    void oneObjectYieldsOneReadingPerValue() {
        ParseResult r = parse("{\"ts\": " + (NOW - 1000) + ", \"values\": {\"systolic_bp\": 152, \"diastolic_bp\": 96, \"heart_rate\": 78}}");

        assertThat(r.readings()).containsExactly(
                new Reading(7, 42, Metric.SYSTOLIC_BP, NOW - 1000, 152),
                new Reading(7, 42, Metric.DIASTOLIC_BP, NOW - 1000, 96),
                new Reading(7, 42, Metric.HEART_RATE, NOW - 1000, 78));
        assertThat(r.rejectedTotal()).isZero();
    }

    @Test
    void anArrayWithIsoTimestampsKeepsEachEntrysTime() {
        ParseResult r = parse("[{\"ts\": \"2026-11-22T07:00:00Z\", \"values\": {\"spo2\": 93}},"
                + " {\"ts\": \"2026-11-22T07:00:01.500Z\", \"values\": {\"spo2\": 92.5}}]");

        assertThat(r.readings()).extracting(Reading::measuredAt).containsExactly(
                Instant.parse("2026-11-22T07:00:00Z").toEpochMilli(), Instant.parse("2026-11-22T07:00:01.500Z").toEpochMilli());
        assertThat(r.readings()).extracting(Reading::value).containsExactly(93.0, 92.5);
    }

    @Test
    void badValuesAreRejectedOneByOneWithoutLosingTheGoodOnes() {
        ParseResult r = parse("{\"ts\": " + NOW + ", \"values\": {\"systolic_bp\": 900, \"pulse\": 80,"
                + " \"heart_rate\": \"fast\", \"diastolic_bp\": null, \"spo2\": 97, \"glucose\": [5]}}");

        assertThat(r.readings()).extracting(Reading::metric).containsExactly(Metric.SPO2);
        assertThat(r.rejected(Rejection.IMPLAUSIBLE)).isEqualTo(1);
        assertThat(r.rejected(Rejection.UNKNOWN_METRIC)).isEqualTo(1);
        assertThat(r.rejected(Rejection.NOT_A_NUMBER)).isEqualTo(3);
        assertThat(r.malformed()).isFalse();
    }

    @Test
    void glucoseInMgPerDlIsConvertedWhereverTheUnitsAppear() {
        ParseResult r = parse("{\"values\": {\"glucose\": 180.16}, \"units\": {\"glucose\": \"mg/dL\"}, \"ts\": " + NOW + "}");

        assertThat(r.readings()).singleElement().satisfies(reading -> {
            assertThat(reading.metric()).isEqualTo(Metric.GLUCOSE);
            assertThat(reading.value()).isCloseTo(10.0, org.assertj.core.data.Offset.offset(0.001));
        });
    }

    @Test
    void anUnknownGlucoseUnitRejectsOnlyTheGlucose() {
        ParseResult r = parse("{\"ts\": " + NOW + ", \"values\": {\"glucose\": 7, \"heart_rate\": 70}, \"units\": {\"glucose\": \"g/L\"}}");

        assertThat(r.readings()).extracting(Reading::metric).containsExactly(Metric.HEART_RATE);
        assertThat(r.rejected(Rejection.UNKNOWN_UNIT)).isEqualTo(1);
    }

    @Test
    void timestampsOutsideTheAcceptanceWindowAreRejected() {
        long tooOld = NOW - Duration.ofDays(31).toMillis();
        long future = NOW + Duration.ofMinutes(16).toMillis();
        ParseResult r = parse("[{\"ts\": " + tooOld + ", \"values\": {\"spo2\": 95, \"heart_rate\": 70}},"
                + " {\"ts\": " + future + ", \"values\": {\"spo2\": 95}},"
                + " {\"ts\": \"yesterday\", \"values\": {\"spo2\": 95}},"
                + " {\"ts\": " + (NOW + 60_000) + ", \"values\": {\"spo2\": 96}}]");

        assertThat(r.rejected(Rejection.TOO_OLD)).isEqualTo(2);
        assertThat(r.rejected(Rejection.IN_FUTURE)).isEqualTo(1);
        assertThat(r.rejected(Rejection.BAD_TIMESTAMP)).isEqualTo(1);
        assertThat(r.readings()).as("a minute of clock skew is tolerated").extracting(Reading::value).containsExactly(96.0);
    }

    @Test
    void aMissingTimestampMeansReceivedNow() {
        assertThat(parse("{\"values\": {\"body_temp\": 37.2}}").readings())
                .singleElement().extracting(Reading::measuredAt).isEqualTo(NOW);
    }

    @Test
    void truncatedJsonKeepsTheEntriesCompletedBeforeTheBreak() {
        ParseResult r = parse("[{\"ts\": " + NOW + ", \"values\": {\"spo2\": 95}}, {\"ts\": " + NOW + ", \"values\": {\"spo");

        assertThat(r.readings()).extracting(Reading::metric).containsExactly(Metric.SPO2);
        assertThat(r.malformed()).isTrue();
    }

    @Test
    void whatIsNotJsonOfTheDocumentedShapeIsMalformed() {
        for (String bad : new String[] {"", "hello", "42", "\"text\"", "[1, 2]", "{\"values\": 5}", "{} trailing", "\u0000\u0001"}) {
            ParseResult r = parse(bad);
            assertThat(r.readings()).as(bad).isEmpty();
            assertThat(r.malformed()).as(bad).isTrue();
        }
    }

    @Test
    void valuesPastTheMessageLimitAreRejected() {
        PayloadParser small = new PayloadParser(Duration.ofDays(30), Duration.ofMinutes(15), 2);
        ParseResult r = small.parse(("{\"ts\": " + NOW + ", \"values\": {\"spo2\": 95, \"heart_rate\": 70, \"resp_rate\": 16}}")
                .getBytes(StandardCharsets.UTF_8), 7, 42, NOW);

        assertThat(r.readings()).hasSize(2);
        assertThat(r.rejected(Rejection.TOO_MANY_READINGS)).isEqualTo(1);
    }

    @Test
    void deeplyNestedHostileInputIsRejectedWithoutBlowingTheStack() {
        String deep = "[".repeat(100_000);
        ParseResult r = parse(deep);
        assertThat(r.readings()).isEmpty();
        assertThat(r.malformed()).isTrue();
    }

    @Test
    void unknownFieldsAreIgnored() {
        ParseResult r = parse("{\"ts\": " + NOW + ", \"firmware\": {\"v\": [1, 2]}, \"values\": {\"body_weight\": 71.4}}");
        assertThat(r.readings()).extracting(Reading::value).containsExactly(71.4);
        assertThat(r.rejectedTotal()).isZero();
    }
}
