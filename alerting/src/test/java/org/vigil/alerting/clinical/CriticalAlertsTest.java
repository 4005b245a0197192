package org.vigil.alerting.clinical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vigil.alerting.clinical.Fixtures.T0;
import static org.vigil.alerting.clinical.Fixtures.day;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.common.model.Condition;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;

/**
 * A critical event must not vanish before a doctor has seen it: an episode that reached a severity that may
 * not clear itself is only marked back in range and stays open until a doctor resolves it; warnings still
 * clear themselves. Timelines are compared as text, so these tests read the same on any version of the engine.
 */
@Timeout(10)
class CriticalAlertsTest {

    private static final Duration MIN = Duration.ofMinutes(1);

    private static Fixtures.Feed diabetic() {
        return new Fixtures.Feed(PatientProfile.of(60, T0, Condition.DIABETES));
    }

    /** One upload of a glucometer's buffer: readings 10 minutes apart from {@code from}, received an hour later. */
    private static List<AlertSignal> bufferedGlucose(Fixtures.Feed feed, Instant from, double... mmol) {
        List<Reading> upload = new java.util.ArrayList<>();
        for (int i = 0; i < mmol.length; i++) {
            upload.add(feed.reading(4, Metric.GLUCOSE, from.plus(MIN.multipliedBy(10L * i)), mmol[i]));
        }
        return feed.record(feed.engine.onReadings(feed.profile, upload, from.plus(Duration.ofHours(1))));
    }

    /**
     * A diabetic patient whose level-2 low of 06:00, in a buffered upload, was marked back in range at 06:20: the
     * critical alert stays open for a doctor.
     */
    private static Fixtures.Feed waitingForADoctor() {
        Fixtures.Feed feed = diabetic();
        bufferedGlucose(feed, day(0, 6, 0), 2.7, 5.4, 5.5);
        return feed;
    }

    /** One glucose reading sent as it is measured; the timeline of what it signalled. */
    private static List<String> glucose(Fixtures.Feed feed, Instant at, double mmol) {
        return Fixtures.lines(feed.send(4, at, Metric.GLUCOSE, mmol));
    }

    /**
     * Verifies the reported case: a 2.7 mmol/L glucose in a buffered upload followed by normal readings opens a
     * critical alert that is marked back in range, not resolved at the same moment by the system.
     */
    @Test
    void aBufferedLevelTwoHypoglycaemiaFollowedByNormalReadingsStaysOpen() {
        Fixtures.Feed feed = diabetic();
        assertThat(Fixtures.lines(bufferedGlucose(feed, day(0, 6, 0), 2.7, 5.4, 5.5))).containsExactly(
                "2026-03-02T06:00:00Z glucose_low OPEN critical late",
                "2026-03-02T06:20:00Z glucose_low BACK_IN_RANGE critical late");
        assertThat(feed.send(4, day(0, 12, 0), Metric.GLUCOSE, 6.1)).as("nothing left to clear: it waits").isEmpty();
    }

    @Test
    void aHypertensiveCrisisAndASevereDesaturationStayOpenToo() {
        Fixtures.Feed bp = new Fixtures.Feed(PatientProfile.of(61, T0, Condition.HYPERTENSION));
        bp.bp(day(0, 7, 0), 196, 118);
        bp.bp(day(0, 7, 30), 132, 84);
        bp.bp(day(0, 19, 0), 128, 80);
        assertThat(Fixtures.lines(bp.signals)).containsExactly(
                "2026-03-02T07:00:00Z blood_pressure_high OPEN critical",
                "2026-03-02T19:00:00Z blood_pressure_high BACK_IN_RANGE critical");

        Fixtures.Feed spo2 = new Fixtures.Feed(PatientProfile.of(62, T0, Condition.HEART_FAILURE));
        spo2.send(2, day(0, 8, 0), Metric.SPO2, 86);
        spo2.send(2, day(0, 8, 10), Metric.SPO2, 96);
        spo2.send(2, day(0, 8, 20), Metric.SPO2, 97);
        assertThat(Fixtures.lines(spo2.signals)).containsExactly(
                "2026-03-02T08:00:00Z spo2_low OPEN critical",
                "2026-03-02T08:20:00Z spo2_low BACK_IN_RANGE critical");
    }

    @Test
    void aWarningStillClearsItself() {
        Fixtures.Feed feed = diabetic();
        assertThat(Fixtures.lines(bufferedGlucose(feed, day(0, 6, 0), 3.6, 5.4, 5.5))).containsExactly(
                "2026-03-02T06:00:00Z glucose_low OPEN warning late",
                "2026-03-02T06:20:00Z glucose_low CLEAR warning late");
    }

    /** Verifies that an episode that worsened from warning to critical needs the doctor as well. */
    @Test
    void aWarningThatWorsenedToCriticalNeedsADoctorToo() {
        Fixtures.Feed feed = diabetic();
        assertThat(Fixtures.lines(bufferedGlucose(feed, day(0, 6, 0), 3.6, 2.8, 5.4, 5.5))).containsExactly(
                "2026-03-02T06:00:00Z glucose_low OPEN warning late",
                "2026-03-02T06:10:00Z glucose_low WORSEN critical late",
                "2026-03-02T06:30:00Z glucose_low BACK_IN_RANGE critical late");
    }

    /**
     * Verifies that a doctor's resolution closes an episode marked back in range, so the next level-2
     * hypoglycaemia is a new alert that notifies.
     */
    @Test
    void aDoctorsResolutionClosesItAndTheNextCrisisIsANewAlert() {
        Fixtures.Feed feed = waitingForADoctor();
        feed.engine.onAlertResolved(feed.patient(), "glucose_low");
        assertThat(glucose(feed, day(0, 22, 0), 2.6))
                .containsExactly("2026-03-02T22:00:00Z glucose_low OPEN critical");
    }

    /**
     * Verifies that the crisis coming back while the alert waits for a doctor notifies again (an acknowledged
     * alert must not swallow a new crisis), and that a crisis that keeps coming back within the flap window is
     * recorded silently instead of notifying every time, until a doctor has reviewed it.
     */
    @Test
    void aCrisisThatComesBackNotifiesAgainUnlessItKeepsComingBack() {
        Fixtures.Feed feed = waitingForADoctor();
        assertThat(glucose(feed, day(0, 8, 0), 2.8))
                .as("level 2 again: notified again on the same alert")
                .containsExactly("2026-03-02T08:00:00Z glucose_low RECUR critical");
        glucose(feed, day(0, 8, 10), 5.6);
        assertThat(glucose(feed, day(0, 8, 20), 5.8))
                .containsExactly("2026-03-02T08:20:00Z glucose_low BACK_IN_RANGE critical");
        assertThat(glucose(feed, day(0, 9, 0), 2.9))
                .as("back twice within 6 hours: flapping, recorded without notifying")
                .containsExactly("2026-03-02T09:00:00Z glucose_low FLAP_SUPPRESSED critical");
        assertThat(feed.engine.flapsSuppressed()).isEqualTo(1);

        feed.engine.onAlertResolved(feed.patient(), "glucose_low");
        glucose(feed, day(0, 9, 10), 5.6);
        glucose(feed, day(0, 9, 20), 5.8);
        assertThat(glucose(feed, day(0, 10, 0), 2.7))
                .as("after the doctor's review the next crisis is news")
                .containsExactly("2026-03-02T10:00:00Z glucose_low OPEN critical");
    }

    /** Verifies that a lesser low inside an alert waiting for a doctor is recorded on it, not notified. */
    @Test
    void aLevelOneLowInsideTheOpenCriticalAlertIsRecorded() {
        Fixtures.Feed feed = waitingForADoctor();
        assertThat(glucose(feed, day(0, 8, 0), 3.6))
                .containsExactly("2026-03-02T08:00:00Z glucose_low UPDATE critical");
        glucose(feed, day(0, 8, 10), 5.6);
        assertThat(glucose(feed, day(0, 8, 20), 5.8))
                .containsExactly("2026-03-02T08:20:00Z glucose_low BACK_IN_RANGE critical");
    }

    /** Verifies that which severities clear themselves is configuration: here critical ones too. */
    @Test
    void whichSeveritiesClearThemselvesIsConfiguration() {
        String rules = org.vigil.alerting.config.ClinicalRulesConfig.builtIn()
                .replace("\"autoClear\": [ \"warning\" ]", "\"autoClear\": [ \"warning\", \"critical\" ]");
        assertThat(rules).contains("\"critical\" ]");
        Fixtures.Feed feed = new Fixtures.Feed(new ClinicalEngine(
                org.vigil.alerting.config.ClinicalRulesConfig.parse(rules, "test")), diabetic().profile);
        assertThat(Fixtures.lines(bufferedGlucose(feed, day(0, 6, 0), 2.7, 5.4, 5.5))).containsExactly(
                "2026-03-02T06:00:00Z glucose_low OPEN critical late",
                "2026-03-02T06:20:00Z glucose_low CLEAR critical late");
    }

    /**
     * Verifies that every signal of an episode leads with its worst observation and when it was measured, not
     * the latest one: a lower glucose that arrived between updates is still the headline when the episode is
     * marked back in range, and the reading that brought it back never is.
     */
    @Test
    void theWorstObservationIsTheHeadlineNotTheLatest() {
        Fixtures.Feed feed = diabetic();
        List<AlertSignal> signals = bufferedGlucose(feed, day(0, 6, 0), 2.7, 2.4, 5.4, 5.5);
        assertThat(Fixtures.lines(signals)).containsExactly(
                "2026-03-02T06:00:00Z glucose_low OPEN critical late",
                "2026-03-02T06:30:00Z glucose_low BACK_IN_RANGE critical late");
        AlertSignal opened = signals.get(0);
        assertThat(opened.headline()).isEqualTo(new AlertSignal.Headline(Metric.GLUCOSE, 2.7,
                day(0, 6, 0).toEpochMilli(), "glucose 2.7 mmol/L (critical at < 3)", false));
        AlertSignal back = signals.get(1);
        assertThat(back.backInRange()).isTrue();
        assertThat(back.detail()).isEqualTo("glucose 5.5 mmol/L, back in range");
        assertThat(back.headline()).as("2.4 at 06:10 never had a signal of its own, yet leads")
                .isEqualTo(new AlertSignal.Headline(Metric.GLUCOSE, 2.4, day(0, 6, 10).toEpochMilli(),
                        "glucose 2.4 mmol/L (critical at < 3)", false));
        assertThat(back.worst()).isEqualTo(2.4);

        AlertSignal recurred = feed.send(4, day(0, 9, 0), Metric.GLUCOSE, 2.8).get(0);
        assertThat(recurred.backInRange()).isFalse();
        assertThat(recurred.value()).isEqualTo(2.8);
        assertThat(recurred.headline().value()).isEqualTo(2.4);
    }
}
