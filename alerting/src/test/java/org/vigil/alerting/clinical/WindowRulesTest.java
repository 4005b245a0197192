package org.vigil.alerting.clinical;

import org.vigil.common.model.Condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;
import static org.vigil.alerting.clinical.Fixtures.T0;
import static org.vigil.alerting.clinical.Fixtures.day;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/** Trend rules on measurement-time windows: home BP mean, weight gain, SpO2 baseline, time below range. */
@Timeout(10)
class WindowRulesTest {

    private static final int[] HOURS = {7, 19};

    private static List<AlertSignal> of(List<AlertSignal> signals, String rule) {
        return signals.stream().filter(s -> s.ruleId().equals(rule)).toList();
    }

    private static Fixtures.Feed patient(Condition... conditions) {
        return new Fixtures.Feed(PatientProfile.of(10, T0, conditions));
    }

    /** Twice-daily blood pressure, measurement {@code i} at day i/2, 07:00 or 19:00. */
    private static List<AlertSignal> bp(Fixtures.Feed feed, int i, double systolic, double diastolic) {
        return feed.bp(day(i / 2, HOURS[i % 2], 0), systolic, diastolic);
    }

    @Test
    void theSevenDayHomeMeanAlertsFromTheSixthReading() {
        Fixtures.Feed feed = patient(Condition.HYPERTENSION);
        for (int i = 0; i < 5; i++) {
            assertThat(bp(feed, i, 140, 80)).isEmpty();
        }
        assertThat(bp(feed, 5, 140, 80)).singleElement().satisfies(s -> {
            assertThat(s.ruleId()).isEqualTo("bp_mean_high");
            assertThat(s.kind()).isEqualTo(Kind.OPEN);
            assertThat(s.severity()).isEqualTo(Severity.WARNING);
            assertThat(s.metric()).isEqualTo(Metric.SYSTOLIC_BP);
            assertThat(s.value()).isEqualTo(140.0);
            assertThat(s.detail()).isEqualTo("7-day mean 140/80 mmHg over 6 readings on 4 days (target below 135/85)");
        });
    }

    /**
     * Verifies that a burst of readings seconds apart (a stream, as from a continuous monitor) does not make a
     * 7-day mean of home measurements: only spot readings count towards the six (a stream's first sample is one).
     */
    @Test
    void aStreamOfReadingsIsNotAWeekOfHomeMeasurements() {
        Fixtures.Feed feed = patient(Condition.HYPERTENSION);
        for (int s = 0; s < 30; s++) {
            feed.send(7, day(0, 6, 0).plusSeconds(s), Metric.SYSTOLIC_BP, 142, Metric.DIASTOLIC_BP, 88);
        }
        for (int i = 0; i < 4; i++) {
            bp(feed, i, 142, 88);
        }
        // Thirty readings in the window, but the stream's first sample is its only spot measurement.
        assertThat(of(feed.signals, "bp_mean_high")).as("four spot readings and a stream").isEmpty();
        assertThat(bp(feed, 4, 142, 88)).singleElement()
                .satisfies(s -> assertThat(s.detail()).contains("over 6 readings"));
    }

    /**
     * Verifies the reported case: six readings taken within 25 minutes are not a 7-day home mean, however high;
     * the mean alerts once readings span three calendar days, and says over how many days.
     */
    @Test
    void readingsOfOneSittingAreNotAWeekOfHomeMeasurements() {
        Fixtures.Feed feed = patient(Condition.HYPERTENSION);
        for (int i = 0; i < 6; i++) {
            // 08:00-08:25 in Shanghai, five minutes apart: spot readings, not a stream.
            feed.bp(day(1, 0, 5 * i), 160, 93);
        }
        assertThat(of(feed.signals, "bp_mean_high")).as("one day of readings").isEmpty();
        feed.bp(day(2, 0, 0), 158, 91);
        assertThat(of(feed.signals, "bp_mean_high")).as("two days").isEmpty();
        assertThat(of(feed.bp(day(3, 0, 0), 158, 90), "bp_mean_high")).singleElement().satisfies(s -> {
            assertThat(s.kind()).isEqualTo(Kind.OPEN);
            assertThat(s.detail()).isEqualTo("7-day mean 159.5/92.4 mmHg over 8 readings on 3 days (target below 135/85)");
        });
    }

    /**
     * Verifies that days begin at midnight where the patients live (the rules' time zone, Asia/Shanghai by
     * default), not in UTC or the JVM's zone: 23:30 and 00:30 in Shanghai are two days, though one in UTC.
     */
    @Test
    void daysAreCountedInTheRulesTimeZone() {
        // Shanghai is UTC+8: 15:30Z is 23:30 there, 16:30Z is 00:30 the next day.
        String inUtc = org.vigil.alerting.config.ClinicalRulesConfig.builtIn()
                .replace("\"timeZone\": \"Asia/Shanghai\",", "").replaceFirst("\\{", "{\"timeZone\": \"UTC\",");
        for (String rules : List.of(inUtc, org.vigil.alerting.config.ClinicalRulesConfig.builtIn())) {
            Fixtures.Feed feed = new Fixtures.Feed(new ClinicalEngine(
                    org.vigil.alerting.config.ClinicalRulesConfig.parse(rules, "test")), PatientProfile.of(10, T0,
                    Condition.HYPERTENSION));
            for (int d = 0; d < 2; d++) {
                feed.bp(day(d, 15, 30), 150, 90);
                feed.bp(day(d, 15, 40), 150, 90);
                feed.bp(day(d, 16, 30), 150, 90);
            }
            List<AlertSignal> mean = of(feed.signals, "bp_mean_high");
            if (rules == inUtc) {
                assertThat(mean).as("two UTC days").isEmpty();
            } else {
                assertThat(mean).as("three days in Shanghai").singleElement().extracting(AlertSignal::detail)
                        .isEqualTo("7-day mean 150/90 mmHg over 6 readings on 3 days (target below 135/85)");
            }
        }
    }

    @Test
    void aHighDiastolicMeanAloneIsEnough() {
        Fixtures.Feed feed = patient(Condition.HYPERTENSION);
        for (int i = 0; i < 6; i++) {
            bp(feed, i, 130, 86);
        }
        assertThat(feed.signals).singleElement().satisfies(s -> {
            assertThat(s.metric()).isEqualTo(Metric.DIASTOLIC_BP);
            assertThat(s.value()).isEqualTo(86.0);
        });
    }

    @Test
    void aMeanJustBelowTargetIsQuiet() {
        Fixtures.Feed feed = patient(Condition.HYPERTENSION);
        for (int i = 0; i < 14; i++) {
            bp(feed, i, 134, 84);
        }
        assertThat(feed.signals).isEmpty();
    }

    @Test
    void readingsOlderThanSevenDaysLeaveTheWindow() {
        Fixtures.Feed late = patient(Condition.HYPERTENSION);
        Fixtures.Feed inTime = patient(Condition.HYPERTENSION);
        for (int i = 0; i < 5; i++) {
            bp(late, i, 140, 80);
            bp(inTime, i, 140, 80);
        }
        assertThat(late.bp(day(7, 12, 0), 140, 80)).as("day 0 07:00 is more than 7 days back").isEmpty();
        assertThat(inTime.bp(day(6, 12, 0), 140, 80)).extracting(AlertSignal::ruleId).containsExactly("bp_mean_high");
    }

    @Test
    void theMeanClearsOnceItIsBackBelowTarget() {
        Fixtures.Feed feed = patient(Condition.HYPERTENSION);
        for (int i = 0; i < 6; i++) {
            bp(feed, i, 140, 80);
        }
        for (int i = 6; i < 14; i++) {
            bp(feed, i, 118, 76);
        }
        assertThat(of(feed.signals, "bp_mean_high")).extracting(AlertSignal::kind, AlertSignal::measuredAt)
                .containsExactly(
                        tuple(Kind.OPEN, day(2, 19, 0).toEpochMilli()),
                        // 6 x 140 + 118 over 7 readings: 136.9, still high.
                        tuple(Kind.UPDATE, day(3, 7, 0).toEpochMilli()),
                        // 134.5 over 8, then 132.7 over 9: two in range in a row.
                        tuple(Kind.CLEAR, day(4, 7, 0).toEpochMilli()));
    }

    @Test
    void heartFailureWeightGainOfMoreThanTwoKilogramsInThreeDays() {
        Fixtures.Feed feed = patient(Condition.HEART_FAILURE);
        feed.send(5, day(0, 7, 0), Metric.BODY_WEIGHT, 80.0);
        feed.send(5, day(1, 7, 0), Metric.BODY_WEIGHT, 80.9);
        assertThat(feed.send(5, day(2, 7, 0), Metric.BODY_WEIGHT, 82.1)).singleElement().satisfies(s -> {
            assertThat(s.ruleId()).isEqualTo("weight_gain");
            assertThat(s.value()).isCloseTo(2.1, within(1e-9));
            assertThat(s.detail()).isEqualTo("weight up 2.1 kg within 3 days (80 → 82.1 kg)");
        });
    }

    @Test
    void exactlyTwoKilogramsOrAGainSpreadOverMoreThanThreeDaysIsQuiet() {
        Fixtures.Feed two = patient(Condition.HEART_FAILURE);
        two.send(5, day(0, 7, 0), Metric.BODY_WEIGHT, 80.0);
        two.send(5, day(2, 7, 0), Metric.BODY_WEIGHT, 82.0);
        Fixtures.Feed slow = patient(Condition.HEART_FAILURE);
        slow.send(5, day(0, 7, 0), Metric.BODY_WEIGHT, 80.0);
        slow.send(5, day(2, 7, 0), Metric.BODY_WEIGHT, 81.0);
        slow.send(5, day(4, 7, 0), Metric.BODY_WEIGHT, 82.5);
        Fixtures.Feed noHeartFailure = patient(Condition.HYPERTENSION);
        noHeartFailure.send(5, day(0, 7, 0), Metric.BODY_WEIGHT, 80.0);
        noHeartFailure.send(5, day(2, 7, 0), Metric.BODY_WEIGHT, 83.0);
        assertThat(two.signals).isEmpty();
        assertThat(slow.signals).isEmpty();
        assertThat(noHeartFailure.signals).isEmpty();
    }

    /** Fourteen days of twice-daily 93 %, then the given readings at day 14 08:00, 14 20:00, 15 08:00... */
    private static Fixtures.Feed copdBaseline(Condition condition, double... after) {
        Fixtures.Feed feed = patient(condition);
        for (int d = 0; d < 14; d++) {
            feed.send(2, day(d, 8, 0), Metric.SPO2, 93);
            feed.send(2, day(d, 20, 0), Metric.SPO2, 93);
        }
        for (int i = 0; i < after.length; i++) {
            feed.send(2, day(14 + i / 2, i % 2 == 0 ? 8 : 20, 0), Metric.SPO2, after[i]);
        }
        return feed;
    }

    @Test
    void copdSaturationThreePointsBelowThePatientsOwnBaseline() {
        Fixtures.Feed feed = copdBaseline(Condition.COPD, 89, 89);
        assertThat(feed.signals).as("the 24 h window still holds yesterday's 20:00 reading: 90.3 %").isEmpty();
        assertThat(feed.send(2, day(15, 8, 0), Metric.SPO2, 88)).singleElement().satisfies(s -> {
            assertThat(s.ruleId()).isEqualTo("spo2_baseline_drop");
            assertThat(s.value()).isCloseTo(93 - (89 + 89 + 88) / 3.0, within(1e-9));
            assertThat(s.detail()).isEqualTo(
                    "24-hour mean SpO2 88.7 %, 4.3 points below the 14-day baseline of 93 % (3 recent readings)");
        });
    }

    @Test
    void aSmallerDropOrAPatientWithoutCopdIsQuiet() {
        assertThat(copdBaseline(Condition.COPD, 90.5, 90.5, 90.5, 90.5).signals).isEmpty();
        assertThat(of(copdBaseline(Condition.HYPERTENSION, 89, 89, 88, 88).signals, "spo2_baseline_drop")).isEmpty();
    }

    @Test
    void glucoseBelowRangeInMoreThanFourPercentOfReadingsOverFourteenDays() {
        Fixtures.Feed feed = patient(Condition.DIABETES);
        int[] hours = {7, 12, 17, 22};
        for (int i = 0; i < 26; i++) {
            feed.send(4, day(i / 4, hours[i % 4], 0), Metric.GLUCOSE, i == 0 ? 3.5 : 6.2);
        }
        assertThat(Fixtures.lines(of(feed.signals, "glucose_low_share"))).containsExactly(
                "2026-03-06T22:00:00Z glucose_low_share OPEN warning",   // 1 of 20: 5 %
                "2026-03-07T07:00:00Z glucose_low_share UPDATE warning", // 1 of 21
                "2026-03-07T12:00:00Z glucose_low_share UPDATE warning",
                "2026-03-07T17:00:00Z glucose_low_share UPDATE warning",
                "2026-03-07T22:00:00Z glucose_low_share UPDATE warning", // 1 of 24: 4.2 %
                "2026-03-08T12:00:00Z glucose_low_share CLEAR warning"); // 1 of 25 and 1 of 26: 4 % or less
        assertThat(of(feed.signals, "glucose_low_share").get(0).detail())
                .isEqualTo("5 % of 20 readings below 3.9 mmol/L over 14 days (target under 4 %)");
        assertThat(Fixtures.lines(of(feed.signals, "glucose_low"))).containsExactly(
                "2026-03-02T07:00:00Z glucose_low OPEN warning", "2026-03-02T17:00:00Z glucose_low CLEAR warning");
    }
}
