package org.vigil.alerting.clinical;

import org.vigil.common.model.Condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.vigil.alerting.clinical.Fixtures.T0;
import static org.vigil.alerting.clinical.Fixtures.day;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/** Conditions that must hold for a duration or a number of readings: one alert, not one per second. */
@Timeout(20)
class SustainedRulesTest {

    private static final Instant DIP = day(0, 2, 0);

    private static List<AlertSignal> of(List<AlertSignal> signals, String rule) {
        return signals.stream().filter(s -> s.ruleId().equals(rule)).toList();
    }

    private static Fixtures.Feed wearer(Condition... conditions) {
        Fixtures.Feed feed = new Fixtures.Feed(PatientProfile.of(3, T0, conditions));
        feed.stream(Metric.SPO2, DIP.minusSeconds(60), 60, 97);
        return feed;
    }

    @Test
    void saturationBelowNinetyOpensOnceItHasLastedFiveMinutes() {
        Fixtures.Feed feed = wearer(Condition.HYPERTENSION);
        assertThat(feed.stream(Metric.SPO2, DIP, 300, 89)).as("4 min 59 s").isEmpty();
        assertThat(feed.send(9, DIP.plusSeconds(300), Metric.SPO2, 89)).singleElement().satisfies(s -> {
            assertThat(s.ruleId()).isEqualTo("spo2_low_sustained");
            assertThat(s.kind()).isEqualTo(Kind.OPEN);
            assertThat(s.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(s.measuredAt()).isEqualTo(DIP.plusSeconds(300).toEpochMilli());
            assertThat(s.detail()).isEqualTo("SpO2 < 90 % for 5 min (301 readings), latest 89 %");
        });
        List<AlertSignal> twentyMore = feed.stream(Metric.SPO2, DIP.plusSeconds(301), 1200, 89);
        assertThat(twentyMore).as("20 more minutes: one stored update per 15 minutes, nothing notified")
                .extracting(AlertSignal::kind, AlertSignal::measuredAt)
                .containsExactly(tuple(Kind.UPDATE, DIP.plusSeconds(1200).toEpochMilli()));
    }

    /** Verifies that the critical desaturation is back in range only after 5 minutes beyond the tolerance. */
    @Test
    void itIsBackInRangeAfterFiveMinutesBeyondTheTolerance() {
        Fixtures.Feed feed = wearer(Condition.HYPERTENSION);
        feed.stream(Metric.SPO2, DIP, 400, 88);
        Instant back = DIP.plusSeconds(400);
        // The first 30 s back in range are within the tolerance (no evidence); 5 minutes in range follow.
        assertThat(feed.stream(Metric.SPO2, back, 330, 95)).isEmpty();
        assertThat(feed.send(9, back.plusSeconds(330), Metric.SPO2, 95)).singleElement().satisfies(s -> {
            assertThat(s.kind()).as("critical: marked, left open for a doctor").isEqualTo(Kind.BACK_IN_RANGE);
            assertThat(s.detail()).isEqualTo("SpO2 95 %, back in range");
            assertThat(s.headline().value()).isEqualTo(88.0);
        });
    }

    @Test
    void aGapLongerThanAMinuteStartsTheRunAgain() {
        Fixtures.Feed feed = wearer(Condition.HYPERTENSION);
        feed.stream(Metric.SPO2, DIP, 240, 88);
        assertThat(feed.stream(Metric.SPO2, DIP.plusSeconds(240 + 120), 240, 88)).isEmpty();
    }

    @Test
    void aFewSecondsBackInRangeDoNotBreakTheRunButHalfAMinuteDoes() {
        Fixtures.Feed noisy = wearer(Condition.HYPERTENSION);
        for (int s = 0; s < 301; s++) {
            noisy.send(9, DIP.plusSeconds(s), Metric.SPO2, s % 60 == 30 ? 91 : 88);
        }
        assertThat(noisy.signals).extracting(AlertSignal::ruleId).containsExactly("spo2_low_sustained");
        Fixtures.Feed recovering = wearer(Condition.HYPERTENSION);
        recovering.stream(Metric.SPO2, DIP, 150, 88);
        recovering.stream(Metric.SPO2, DIP.plusSeconds(150), 31, 92);
        recovering.stream(Metric.SPO2, DIP.plusSeconds(181), 200, 88);
        assertThat(recovering.signals).as("31 s in range: the run starts again and has 200 s").isEmpty();
    }

    @Test
    void copdPatientsAlertBelowEightyEightAsAWarning() {
        Fixtures.Feed feed = wearer(Condition.COPD);
        assertThat(feed.stream(Metric.SPO2, DIP, 600, 88.5)).isEmpty();
        assertThat(of(feed.stream(Metric.SPO2, DIP.plusSeconds(600), 301, 87), "spo2_low_sustained"))
                .singleElement().extracting(AlertSignal::severity).isEqualTo(Severity.WARNING);
    }

    @Test
    void heartRateAboveHundredForTenMinutesAlsoAtFiveMinuteCadence() {
        Fixtures.Feed feed = new Fixtures.Feed(PatientProfile.of(4, T0, Condition.HEART_FAILURE));
        assertThat(feed.send(9, day(0, 10, 0), Metric.HEART_RATE, 112)).isEmpty();
        assertThat(feed.send(9, day(0, 10, 5), Metric.HEART_RATE, 115)).isEmpty();
        assertThat(feed.send(9, day(0, 10, 9), Metric.HEART_RATE, 111)).as("9 minutes").isEmpty();
        assertThat(feed.send(9, day(0, 10, 10), Metric.HEART_RATE, 108)).singleElement().satisfies(s -> {
            assertThat(s.ruleId()).isEqualTo("heart_rate_high_sustained");
            assertThat(s.severity()).isEqualTo(Severity.WARNING);
            assertThat(s.detail()).isEqualTo("heart rate > 100 /min for 10 min (4 readings), latest 108 /min");
        });
    }

    @Test
    void heartRateAboveHundredForLessThanTenMinutesOnAStreamIsQuiet() {
        Fixtures.Feed feed = new Fixtures.Feed(PatientProfile.of(4, T0, Condition.HEART_FAILURE));
        feed.stream(Metric.HEART_RATE, day(0, 10, 0), 599, 120);
        feed.stream(Metric.HEART_RATE, day(0, 10, 10), 60, 80);
        feed.stream(Metric.HEART_RATE, day(0, 10, 11), 599, 120);
        assertThat(feed.signals).isEmpty();
    }

    @Test
    void aRunCanBeCountedInConsecutiveSpotReadings() {
        RuleSpec.Sustained threeInARow = new RuleSpec.Sustained("hr_persistent", "HR persistently high", "test",
                Set.of(), LifecycleSettings.DEFAULTS, RuleSpec.Input.SPOT,
                List.of(new Band(Severity.WARNING, List.of(new Threshold(Metric.HEART_RATE, Comparison.GT, 100)))),
                List.of(), Duration.ZERO, 3, Duration.ofDays(2), Duration.ZERO);
        ClinicalEngine engine = new ClinicalEngine(new ClinicalRules(Duration.ofSeconds(15), Duration.ofMinutes(10),
                Duration.ofDays(1), ClinicalRules.DEFAULT_ZONE, List.of(threeInARow)));
        Fixtures.Feed feed = new Fixtures.Feed(engine, PatientProfile.of(5, T0));
        feed.send(1, day(0, 8, 0), Metric.HEART_RATE, 104);
        feed.send(1, day(0, 20, 0), Metric.HEART_RATE, 106);
        feed.send(1, day(1, 8, 0), Metric.HEART_RATE, 88);
        feed.send(1, day(1, 20, 0), Metric.HEART_RATE, 104);
        feed.send(1, day(2, 8, 0), Metric.HEART_RATE, 105);
        assertThat(feed.signals).isEmpty();
        assertThat(Fixtures.lines(feed.send(1, day(2, 20, 0), Metric.HEART_RATE, 103)))
                .containsExactly("2026-03-04T20:00:00Z hr_persistent OPEN warning");
    }
}
