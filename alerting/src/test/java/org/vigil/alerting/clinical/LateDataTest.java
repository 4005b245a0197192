package org.vigil.alerting.clinical;

import org.vigil.common.model.Condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vigil.alerting.clinical.Fixtures.T0;
import static org.vigil.alerting.clinical.Fixtures.day;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;

/** Buffered uploads and out-of-order readings: evaluated in measurement order, windows exact, signals marked late. */
@Timeout(20)
class LateDataTest {

    private static final int[] HOURS = {7, 19};

    /** Six blood pressures over three days, one of them 185/95 (day 1, 07:00). */
    private static List<Reading> threeDaysOfBloodPressure(long patient) {
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            long t = day(i / 2, HOURS[i % 2], 0).toEpochMilli();
            readings.add(new Reading(1, patient, Metric.SYSTOLIC_BP, t, i == 2 ? 185 : 140));
            readings.add(new Reading(1, patient, Metric.DIASTOLIC_BP, t, i == 2 ? 95 : 80));
        }
        return readings;
    }

    @Test
    void aBufferedUploadGivesTheSameTimelineAsOnTimeDataMarkedLate() {
        PatientProfile profile = PatientProfile.of(40, T0, Condition.HYPERTENSION);
        ClinicalEngine onTime = new ClinicalEngine(Fixtures.defaults());
        List<AlertSignal> live = new ArrayList<>();
        List<Reading> readings = threeDaysOfBloodPressure(40);
        for (int i = 0; i < readings.size(); i += 2) {
            live.addAll(onTime.onReadings(profile, readings.subList(i, i + 2),
                    Instant.ofEpochMilli(readings.get(i).measuredAt())));
        }
        List<Reading> shuffled = new ArrayList<>(readings);
        Collections.reverse(shuffled);
        List<AlertSignal> buffered = new ClinicalEngine(Fixtures.defaults()).onReadings(profile, shuffled, day(3, 9, 0));

        assertThat(Fixtures.lines(live)).containsExactly(
                "2026-03-03T07:00:00Z blood_pressure_high OPEN critical",
                "2026-03-04T07:00:00Z blood_pressure_high BACK_IN_RANGE critical",
                "2026-03-04T19:00:00Z bp_mean_high OPEN warning");
        assertThat(Fixtures.lines(buffered)).containsExactly(
                "2026-03-03T07:00:00Z blood_pressure_high OPEN critical late",
                "2026-03-04T07:00:00Z blood_pressure_high BACK_IN_RANGE critical late",
                "2026-03-04T19:00:00Z bp_mean_high OPEN warning late");
        assertThat(buffered.get(2).detail()).isEqualTo("7-day mean 147.5/82.5 mmHg over 6 readings on 4 days (target below 135/85)");
    }

    @Test
    void aBufferedNightOfOneHertzSaturationRaisesTheSustainedAlertAtItsMeasurementTime() {
        Fixtures.Feed feed = new Fixtures.Feed(PatientProfile.of(41, T0, Condition.HEART_FAILURE));
        List<Reading> night = new ArrayList<>();
        Instant from = day(0, 1, 0);
        Instant dip = day(0, 2, 0);
        for (int s = 0; s < 7200; s++) {
            Instant at = from.plusSeconds(s);
            boolean low = !at.isBefore(dip) && at.isBefore(dip.plusSeconds(360));
            night.add(feed.reading(9, Metric.SPO2, at, low ? 87 : 96));
        }
        List<AlertSignal> signals = feed.engine.onReadings(feed.profile, night, day(0, 8, 0));
        assertThat(Fixtures.lines(signals)).containsExactly(
                "2026-03-02T02:05:00Z spo2_low_sustained OPEN critical late",
                // back in range at 02:06:00; 30 s of tolerance, then 5 minutes in range
                "2026-03-02T02:11:30Z spo2_low_sustained BACK_IN_RANGE critical late");
    }

    @Test
    void aReadingReceivedMoreThanTenMinutesAfterItWasMeasuredIsLate() {
        Fixtures.Feed prompt = new Fixtures.Feed(PatientProfile.of(42, T0));
        Fixtures.Feed slow = new Fixtures.Feed(PatientProfile.of(43, T0));
        Instant at = day(0, 8, 0);
        assertThat(prompt.sendReceived(2, at, at.plusSeconds(600), Metric.SPO2, 85))
                .singleElement().extracting(AlertSignal::late).isEqualTo(false);
        assertThat(slow.sendReceived(2, at, at.plusSeconds(601), Metric.SPO2, 85))
                .singleElement().extracting(AlertSignal::late).isEqualTo(true);
    }

    @Test
    void aReadingOlderThanOneAlreadyEvaluatedIsLateEvenIfItCameQuickly() {
        Fixtures.Feed feed = new Fixtures.Feed(PatientProfile.of(48, T0));
        feed.send(2, day(0, 10, 0), Metric.SPO2, 96);
        assertThat(feed.sendReceived(3, day(0, 9, 58), day(0, 10, 1), Metric.SPO2, 85))
                .as("a second oximeter, three minutes behind the first").singleElement().satisfies(s -> {
                    assertThat(s.kind()).isEqualTo(AlertSignal.Kind.OPEN);
                    assertThat(s.late()).isTrue();
                });
    }

    @Test
    void aLateReadingEntersTheWindowsAtItsMeasurementTime() {
        Fixtures.Feed withLate = new Fixtures.Feed(PatientProfile.of(44, T0, Condition.HEART_FAILURE));
        Fixtures.Feed without = new Fixtures.Feed(PatientProfile.of(44, T0, Condition.HEART_FAILURE));
        for (Fixtures.Feed feed : List.of(withLate, without)) {
            feed.send(5, day(2, 7, 0), Metric.BODY_WEIGHT, 82.1);
        }
        assertThat(withLate.sendReceived(5, day(0, 8, 0), day(2, 7, 30), Metric.BODY_WEIGHT, 80.0))
                .as("as of day 0 there is nothing to gain on").isEmpty();
        withLate.send(5, day(3, 7, 0), Metric.BODY_WEIGHT, 82.2);
        without.send(5, day(3, 7, 0), Metric.BODY_WEIGHT, 82.2);
        assertThat(Fixtures.lines(withLate.signals)).containsExactly("2026-03-05T07:00:00Z weight_gain OPEN warning");
        assertThat(without.signals).isEmpty();
    }

    @Test
    void aRedeliveredMessageIsNotCountedTwice() {
        Fixtures.Feed feed = new Fixtures.Feed(PatientProfile.of(47, T0, Condition.HYPERTENSION));
        for (int i = 0; i < 5; i++) {
            feed.bp(day(i / 2, HOURS[i % 2], 0), 140, 80);
        }
        assertThat(feed.sendReceived(1, day(2, 7, 0), day(2, 7, 30), Metric.SYSTOLIC_BP, 140, Metric.DIASTOLIC_BP, 80))
                .as("the fifth measurement again: same device, metric and instant").isEmpty();
        assertThat(feed.bp(day(2, 19, 0), 140, 80)).singleElement().extracting(AlertSignal::detail)
                .isEqualTo("7-day mean 140/80 mmHg over 6 readings on 4 days (target below 135/85)");
    }

    @Test
    void outOfOrderReadingsInRangeDoNotClearAnAlert() {
        Fixtures.Feed feed = new Fixtures.Feed(PatientProfile.of(45, T0, Condition.HYPERTENSION));
        feed.bp(day(0, 19, 0), 186, 96);
        assertThat(feed.sendReceived(1, day(0, 7, 0), day(0, 20, 0), Metric.SYSTOLIC_BP, 120, Metric.DIASTOLIC_BP, 80))
                .isEmpty();
        assertThat(feed.sendReceived(1, day(0, 12, 0), day(0, 20, 0), Metric.SYSTOLIC_BP, 122, Metric.DIASTOLIC_BP, 80))
                .isEmpty();
        feed.bp(day(1, 7, 0), 125, 80);
        assertThat(Fixtures.lines(feed.bp(day(1, 19, 0), 124, 80)))
                .containsExactly("2026-03-03T19:00:00Z blood_pressure_high BACK_IN_RANGE critical");
    }

    @Test
    void anOutOfOrderCriticalReadingOpensAnAlertThatSaysItIsLate() {
        Fixtures.Feed feed = new Fixtures.Feed(PatientProfile.of(46, T0, Condition.HYPERTENSION));
        feed.bp(day(0, 7, 0), 120, 80);
        feed.bp(day(0, 19, 0), 122, 80);
        assertThat(feed.sendReceived(1, day(0, 12, 0), day(0, 19, 5), Metric.SYSTOLIC_BP, 188, Metric.DIASTOLIC_BP, 100))
                .singleElement().satisfies(s -> {
                    assertThat(Fixtures.line(s)).isEqualTo("2026-03-02T12:00:00Z blood_pressure_high OPEN critical late");
                    assertThat(s.value()).isEqualTo(188.0);
                });
    }
}
