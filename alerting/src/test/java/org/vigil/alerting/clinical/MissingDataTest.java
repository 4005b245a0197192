package org.vigil.alerting.clinical;

import org.vigil.common.model.Condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vigil.alerting.clinical.Fixtures.T0;
import static org.vigil.alerting.clinical.Fixtures.day;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;

/** Adherence alerts from the care plan's expected measurements, telling a silent device from a patient who did not measure. */
@Timeout(10)
class MissingDataTest {

    private static final long SCALE = 5;

    /** Heart failure, weight expected daily (grace 12 h), first weight on day 0 at 08:00. */
    private static Fixtures.Feed weighed() {
        Fixtures.Feed feed = new Fixtures.Feed(PatientProfile.of(30, T0, Condition.HEART_FAILURE)
                .expecting(ExpectedMeasurement.every(Metric.BODY_WEIGHT, Duration.ofDays(1))));
        feed.send(SCALE, day(0, 8, 0), Metric.BODY_WEIGHT, 71.2);
        return feed;
    }

    @Test
    void opensWhenNothingArrivedForTheIntervalAndGraceAndSaysTheDeviceWasSilent() {
        Fixtures.Feed feed = weighed();
        assertThat(feed.tick(day(1, 19, 59))).isEmpty();
        assertThat(feed.tick(day(1, 20, 0))).singleElement().satisfies(s -> {
            assertThat(s.ruleId()).isEqualTo("missing_body_weight");
            assertThat(s.kind()).isEqualTo(Kind.OPEN);
            assertThat(s.severity()).isEqualTo(Severity.WARNING);
            assertThat(s.metric()).isEqualTo(Metric.BODY_WEIGHT);
            assertThat(s.measuredAt()).isEqualTo(day(1, 20, 0).toEpochMilli());
            assertThat(s.value()).isEqualTo(36.0);
            assertThat(s.detail()).isEqualTo("no weight for 36 h (expected every 24 h); device silent: no connection since"
                    + " 2026-03-02 08:00Z");
        });
        assertThat(feed.tick(day(1, 21, 0))).as("one alert, not one per tick").isEmpty();
    }

    @Test
    void aDeviceThatConnectedWithoutMeasuringMeansThePatientDidNotMeasure() {
        Fixtures.Feed feed = weighed();
        feed.engine.onConnectionState(30, SCALE, true, day(1, 9, 0));
        feed.engine.onConnectionState(30, SCALE, false, day(1, 9, 5));
        // day 1 09:00 is after the next weight was due (day 1 08:00)
        assertThat(tickDetail(feed, day(1, 20, 0)))
                .isEqualTo("no weight for 36 h (expected every 24 h); device connected, but nothing measured");
    }

    @Test
    void theSessionThatDeliveredTheLastMeasurementIsNoContactForTheNextOne() {
        Fixtures.Feed feed = new Fixtures.Feed(PatientProfile.of(30, T0, Condition.HEART_FAILURE)
                .expecting(ExpectedMeasurement.every(Metric.BODY_WEIGHT, Duration.ofDays(1))));
        feed.engine.onConnectionState(30, SCALE, true, day(0, 7, 59));
        feed.send(SCALE, day(0, 8, 0), Metric.BODY_WEIGHT, 71.2);
        feed.engine.onConnectionState(30, SCALE, false, day(0, 8, 1));
        assertThat(tickDetail(feed, day(1, 20, 0))).endsWith("device silent: no connection since 2026-03-02 08:01Z");
    }

    @Test
    void anOlderConnectionStateArrivingLaterDoesNotUndoANewerOne() {
        Fixtures.Feed feed = weighed();
        // A restarted node reports the device disconnected; the stale "connected" read before that comes after.
        feed.engine.onConnectionState(30, SCALE, false, day(0, 9, 0));
        feed.engine.onConnectionState(30, SCALE, true, day(0, 8, 30));
        assertThat(tickDetail(feed, day(1, 20, 0))).endsWith("device silent: no connection since 2026-03-02 09:00Z");
    }

    @Test
    void onlyTheDeviceThatMeasuresTheMetricCounts() {
        Fixtures.Feed feed = weighed();
        feed.engine.onConnectionState(30, 9, true, day(1, 0, 0));
        feed.send(9, day(1, 12, 0), Metric.HEART_RATE, 72);
        assertThat(tickDetail(feed, day(1, 20, 0))).contains("device silent");
    }

    @Test
    void aChangeOfCauseIsAnUpdateAndAReadingClearsIt() {
        Fixtures.Feed feed = weighed();
        feed.tick(day(1, 20, 0));
        feed.engine.onConnectionState(30, SCALE, true, day(1, 22, 0));
        assertThat(feed.tick(day(1, 22, 1))).singleElement().satisfies(s -> {
            assertThat(s.kind()).isEqualTo(Kind.UPDATE);
            assertThat(s.detail()).endsWith("device connected, but nothing measured");
        });
        feed.engine.onConnectionState(30, SCALE, false, day(1, 23, 0));
        assertThat(feed.tick(day(2, 6, 0))).as("it was in contact since the last weight").isEmpty();
        assertThat(feed.send(SCALE, day(2, 8, 0), Metric.BODY_WEIGHT, 71.0)).singleElement().satisfies(s -> {
            assertThat(s.kind()).isEqualTo(Kind.CLEAR);
            assertThat(s.measuredAt()).isEqualTo(day(2, 8, 0).toEpochMilli());
            assertThat(s.detail()).isEqualTo("weight received again, measured 2026-03-04 08:00Z");
        });
    }

    @Test
    void aPatientWhoNeverMeasuredIsMissingFromTheStartOfMonitoring() {
        Fixtures.Feed feed = new Fixtures.Feed(PatientProfile.of(31, T0, Condition.HYPERTENSION)
                .expecting(ExpectedMeasurement.every(Metric.SYSTOLIC_BP, Duration.ofHours(12))));
        feed.record(feed.engine.track(feed.profile));
        assertThat(feed.tick(day(0, 17, 59))).isEmpty();
        assertThat(feed.tick(day(0, 18, 0))).singleElement().extracting(AlertSignal::ruleId, AlertSignal::detail)
                .containsExactly("missing_systolic_bp",
                        "no blood pressure for 18 h (expected every 12 h); device silent: never connected");
    }

    @Test
    void aMeasurementFromBeforeMonitoringBeganStillCounts() {
        // Enrolled on day 2; the scale last uploaded a weight from day 0, 08:00, and nothing since.
        Fixtures.Feed feed = new Fixtures.Feed(PatientProfile.of(32, day(2, 0, 0), Condition.HEART_FAILURE)
                .expecting(ExpectedMeasurement.every(Metric.BODY_WEIGHT, Duration.ofDays(1))));
        feed.send(SCALE, day(0, 8, 0), Metric.BODY_WEIGHT, 70.8);
        assertThat(feed.tick(day(2, 0, 1))).singleElement().extracting(AlertSignal::ruleId)
                .isEqualTo("missing_body_weight");
    }

    @Test
    void aBufferedUploadClearsItAndSaysItIsLate() {
        Fixtures.Feed feed = weighed();
        feed.tick(day(1, 20, 0));
        assertThat(feed.sendReceived(SCALE, day(1, 21, 0), day(2, 9, 0), Metric.BODY_WEIGHT, 71.4))
                .singleElement().satisfies(s -> {
                    assertThat(s.kind()).isEqualTo(Kind.CLEAR);
                    assertThat(s.late()).isTrue();
                });
    }

    @Test
    void anUploadTooOldToMakeTheDataCurrentLeavesItOpen() {
        Fixtures.Feed feed = weighed();
        feed.tick(day(3, 0, 0));
        assertThat(feed.sendReceived(SCALE, day(0, 20, 0), day(3, 1, 0), Metric.BODY_WEIGHT, 71.4)).isEmpty();
    }

    @Test
    void aResolvedAlertStaysQuietUntilDataArrivesAndGoesMissingAgain() {
        Fixtures.Feed feed = weighed();
        feed.tick(day(1, 20, 0));
        feed.engine.onAlertResolved(30, "missing_body_weight");
        assertThat(feed.tick(day(2, 20, 0))).isEmpty();
        assertThat(feed.send(SCALE, day(3, 8, 0), Metric.BODY_WEIGHT, 71.0)).isEmpty();
        assertThat(feed.tick(day(4, 20, 0))).extracting(AlertSignal::kind).containsExactly(Kind.OPEN);
    }

    /** The detail of the one signal a tick at {@code at} gives. */
    private static String tickDetail(Fixtures.Feed feed, Instant at) {
        List<AlertSignal> signals = feed.tick(at);
        assertThat(signals).hasSize(1);
        return signals.get(0).detail();
    }
}
