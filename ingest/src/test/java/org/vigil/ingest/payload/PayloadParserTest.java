package org.vigil.ingest.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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

    /**
     * Verifies that a glucose whose unit is unknown ({@code g/L}), or whose units are of an unknown shape (it might
     * be in mg/dL), is rejected alone.
     */
    @ParameterizedTest
    @ValueSource(strings = {"{\"glucose\": 7, \"heart_rate\": 70}, \"units\": {\"glucose\": \"g/L\"}",
            "{\"glucose\": 40, \"heart_rate\": 70}, \"units\": \"mg/dL\""})
    void anUnknownGlucoseUnitRejectsOnlyTheGlucose(String valuesAndUnits) {
        ParseResult r = parse("{\"ts\": " + NOW + ", \"values\": " + valuesAndUnits + "}");

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
        for (String bad : new String[] {"", "hello", "42", "\"text\"", "null", "{} trailing", "\u0000\u0001"}) {
            ParseResult r = parse(bad);
            assertThat(r.readings()).as(bad).isEmpty();
            assertThat(r.malformed()).as(bad).isTrue();
        }
    }

    @Test
    void entriesThatAreNotObjectsWithValuesAreCountedOneByOne() {
        ParseResult r = parse("[1, \"text\", null, true, [{\"values\": {\"spo2\": 95}}], {\"values\": 5},"
                + " {\"values\": [70]}, {\"ts\": " + NOW + "}, {}]");

        assertThat(r.readings()).isEmpty();
        assertThat(r.rejected(Rejection.BAD_ENTRY)).isEqualTo(9);
        assertThat(r.malformed()).isFalse();
    }

    /** The cases of the issue: each bad entry used to end the message and cost every entry after it. */
    @Test
    void aBadEntryCostsOnlyItselfNotTheEntriesAfterIt() {
        String good1 = "{\"ts\": " + (NOW - 2000) + ", \"values\": {\"heart_rate\": 71}}";
        String good2 = "{\"ts\": " + (NOW - 1000) + ", \"values\": {\"heart_rate\": 72}}";
        String good3 = "{\"ts\": " + NOW + ", \"values\": {\"heart_rate\": 73}}";
        ParseResult r = parse("[{\"ts\": 9223372036854775808, \"values\": {\"heart_rate\": 70}}, " + good1
                + ", 5, \"text\", null, [1, [2]], " + good2
                + ", {\"ts\": -9223372036854775809, \"values\": {\"spo2\": 95}}, " + good3 + "]");

        assertThat(r.readings()).extracting(Reading::value).containsExactly(71.0, 72.0, 73.0);
        assertThat(r.rejected(Rejection.BAD_TIMESTAMP)).isEqualTo(2);
        assertThat(r.rejected(Rejection.BAD_ENTRY)).isEqualTo(4);
        assertThat(r.malformed()).isFalse();
    }

    @Test
    void nanAndInfinityLiteralsCostOnlyTheirOwnValue() {
        ParseResult r = parse("[{\"ts\": " + NOW + ", \"values\": {\"spo2\": NaN, \"heart_rate\": Infinity,"
                + " \"resp_rate\": -Infinity, \"body_temp\": 37.1, \"glucose\": \"NaN\", \"body_weight\": 1e999}},"
                + " {\"ts\": NaN, \"values\": {\"spo2\": 96}},"
                + " {\"ts\": " + NOW + ", \"values\": {\"spo2\": 97}}]");

        assertThat(r.readings()).extracting(Reading::metric, Reading::value)
                .containsExactly(tuple(Metric.BODY_TEMP, 37.1), tuple(Metric.SPO2, 97.0));
        assertThat(r.rejected(Rejection.NOT_A_NUMBER)).isEqualTo(5);
        assertThat(r.rejected(Rejection.BAD_TIMESTAMP)).isEqualTo(1);
        assertThat(r.malformed()).isFalse();
    }

    @Test
    void numbersOfAnySizeCostOnlyTheirOwnValue() {
        String digits = "9".repeat(1_000_000);
        ParseResult r = parse("[{\"ts\": " + NOW + ", \"values\": {\"spo2\": " + digits + ", \"heart_rate\": 0." + digits
                + "e-999999999, \"resp_rate\": 1" + "0".repeat(401) + "e-400, \"body_temp\": 3.7e1}},"
                + " {\"ts\": " + digits + ", \"values\": {\"spo2\": 95}},"
                + " {\"ts\": 1e999, \"values\": {\"spo2\": 95}},"
                + " {\"ts\": " + NOW + ", \"values\": {\"spo2\": 98}}]");

        assertThat(r.readings()).extracting(Reading::metric, Reading::value)
                .containsExactly(tuple(Metric.RESP_RATE, 10.0), tuple(Metric.BODY_TEMP, 37.0), tuple(Metric.SPO2, 98.0));
        assertThat(r.rejected(Rejection.NOT_A_NUMBER)).as("a million nines: no finite double").isEqualTo(1);
        assertThat(r.rejected(Rejection.IMPLAUSIBLE)).as("a heart rate of almost 0").isEqualTo(1);
        assertThat(r.rejected(Rejection.BAD_TIMESTAMP)).isEqualTo(2);
        assertThat(r.malformed()).isFalse();
    }

    /** Verifies that a number past the long range leaves nothing behind in the parser for the next value. */
    @Test
    void aTimestampPastTheLongRangeDoesNotLeakIntoLaterValues() {
        ParseResult r = parse("[{\"values\": {\"spo2\": 95}, \"ts\": 99999999999999999999},"
                + " {\"ts\": " + NOW + ", \"values\": {\"spo2\": 96}}]");

        assertThat(r.readings()).extracting(Reading::value).containsExactly(96.0);
        assertThat(r.rejected(Rejection.BAD_TIMESTAMP)).isEqualTo(1);
        assertThat(r.rejectedTotal()).isEqualTo(1);
    }

    @Test
    void aFractionalEpochMillisecondTimestampIsTruncated() {
        ParseResult r = parse("[{\"ts\": " + (NOW - 1000) + ".75, \"values\": {\"spo2\": 95}},"
                + " {\"ts\": " + (NOW - 1000) / 1000 + ".5e3, \"values\": {\"spo2\": 96}}]");

        assertThat(r.readings()).extracting(Reading::measuredAt).containsExactly(NOW - 1000, NOW - 500);
    }

    @Test
    void aFieldGivenTwiceRejectsWhatItGoverns() {
        ParseResult r = parse("[{\"ts\": " + NOW + ", \"ts\": " + (NOW - 1000) + ", \"values\": {\"spo2\": 95, \"heart_rate\": 70}},"
                + " {\"ts\": " + NOW + ", \"values\": {\"spo2\": 95, \"heart_rate\": 70, \"spo2\": 60}},"
                + " {\"ts\": " + NOW + ", \"values\": {\"glucose\": 3.1, \"body_temp\": 37},"
                + " \"units\": {\"glucose\": \"mmol/L\", \"glucose\": \"mg/dL\"}},"
                + " {\"ts\": " + NOW + ", \"values\": {\"resp_rate\": 16}, \"values\": {\"body_weight\": 70}}]");

        assertThat(r.readings()).extracting(Reading::metric)
                .containsExactly(Metric.HEART_RATE, Metric.BODY_TEMP, Metric.RESP_RATE, Metric.BODY_WEIGHT);
        assertThat(r.rejected(Rejection.AMBIGUOUS)).as("both values of the first entry, both spo2, the glucose")
                .isEqualTo(5);
    }

    @Test
    void deepNestingInsideAnEntryIsSkippedUpToTheLimit() {
        String deep = "{\"a\": ".repeat(PayloadParser.MAX_NESTING - 3) + "1" + "}".repeat(PayloadParser.MAX_NESTING - 3);
        ParseResult r = parse("[{\"ts\": " + NOW + ", \"extra\": " + deep + ", \"values\": {\"spo2\": 95}},"
                + " " + "[".repeat(50) + "1" + "]".repeat(50) + ","
                + " {\"ts\": " + NOW + ", \"values\": {\"heart_rate\": 70}}]");

        assertThat(r.readings()).extracting(Reading::metric).containsExactly(Metric.SPO2, Metric.HEART_RATE);
        assertThat(r.rejected(Rejection.BAD_ENTRY)).isEqualTo(1);
        assertThat(r.malformed()).isFalse();
    }

    /** Text that is not JSON cannot be read past: what is kept is exactly the entries completed before it. */
    @Test
    void aSyntaxErrorKeepsTheEntriesCompletedBeforeIt() {
        String before = "{\"ts\": " + NOW + ", \"values\": {\"spo2\": 95}}";
        String after = "{\"ts\": " + NOW + ", \"values\": {\"heart_rate\": 70}}";
        for (String broken : new String[] {
                "{\"ts\": " + NOW + ", \"values\": {\"resp_rate\": 16 \"body_temp\": 37}}",  // missing comma
                "{\"ts\": " + NOW + ", \"values\": {\"resp_rate\": 16}, 5}",                 // value without a name
                "{\"ts\": " + NOW + ", \"values\": {\"resp_rate\": 016}}",                   // leading zero
                "{\"ts\": " + NOW + ", \"values\": {\"resp_rate\": high}}",                  // bare word
                "[".repeat(PayloadParser.MAX_NESTING + 1)}) {                                // past the nesting limit
            ParseResult r = parse("[" + before + ", " + broken + ", " + after + "]");

            assertThat(r.readings()).as(broken).extracting(Reading::metric).containsExactly(Metric.SPO2);
            assertThat(r.malformed()).as(broken).isTrue();
        }
        ParseResult extraBrace = parse("[" + before + "}, " + after + "]");
        assertThat(extraBrace.readings()).extracting(Reading::metric).containsExactly(Metric.SPO2);
        assertThat(extraBrace.malformed()).isTrue();
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

    @Test
    void aGlucoseContextIsKeptWithTheGlucoseOnly() {
        ParseResult r = parse("[{\"ts\": " + NOW + ", \"context\": \"fasting\", \"values\": {\"glucose\": 6.2, \"heart_rate\": 70}},"
                + " {\"ts\": " + (NOW - 1000) + ", \"values\": {\"glucose\": 9.1}, \"context\": \"after_meal\"},"
                + " {\"ts\": " + (NOW - 2000) + ", \"values\": {\"glucose\": 5.9}}]");

        assertThat(r.readings()).extracting(Reading::metric, Reading::context).containsExactly(
                tuple(Metric.GLUCOSE, org.vigil.common.model.MeasurementContext.FASTING),
                tuple(Metric.HEART_RATE, null),
                tuple(Metric.GLUCOSE, org.vigil.common.model.MeasurementContext.AFTER_MEAL),
                tuple(Metric.GLUCOSE, null));
        assertThat(r.rejectedTotal()).isZero();
    }

    /** Verifies that an unknown context costs the entry's glucose, counted, and nothing else of the message. */
    @Test
    void anUnknownContextRejectsTheEntrysGlucoseOnly() {
        ParseResult r = parse("[{\"ts\": " + NOW + ", \"context\": \"after_lunch\", \"values\": {\"glucose\": 6.2, \"heart_rate\": 70}},"
                + " {\"ts\": " + (NOW - 1000) + ", \"context\": 3, \"values\": {\"glucose\": 6.0}},"
                + " {\"ts\": " + (NOW - 2000) + ", \"context\": \"bedtime\", \"values\": {\"glucose\": 7.4}}]");

        assertThat(r.readings()).extracting(Reading::metric, Reading::value).containsExactly(
                tuple(Metric.HEART_RATE, 70.0), tuple(Metric.GLUCOSE, 7.4));
        assertThat(r.rejected(Rejection.UNKNOWN_CONTEXT)).isEqualTo(2);
        assertThat(r.malformed()).isFalse();
    }

    @Test
    void aContextGivenTwiceMakesTheGlucoseAmbiguous() {
        ParseResult r = parse("{\"ts\": " + NOW + ", \"context\": \"fasting\", \"context\": \"random\","
                + " \"values\": {\"glucose\": 6.2, \"spo2\": 96}}");

        assertThat(r.readings()).extracting(Reading::metric).containsExactly(Metric.SPO2);
        assertThat(r.rejected(Rejection.AMBIGUOUS)).isEqualTo(1);
    }
}
