package org.vigil.alerting.clinical;

import org.vigil.common.model.Condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.vigil.alerting.clinical.Fixtures.T0;
import static org.vigil.alerting.clinical.Fixtures.day;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;
import org.vigil.common.model.Severity;

/** Restoring state from stored readings and the alert store: nothing already signalled is signalled again. */
@Timeout(20)
class RebuildTest {

    private static final PatientProfile PROFILE = PatientProfile.of(50, T0, Condition.HYPERTENSION, Condition.HEART_FAILURE)
            .expecting(ExpectedMeasurement.every(Metric.BODY_WEIGHT, Duration.ofDays(1)));

    /** An engine on the default rules with nothing in memory, as a node has it when it starts. */
    private static ClinicalEngine engine() {
        return new ClinicalEngine(Fixtures.defaults());
    }

    /** Systolic readings of device 1, one an hour from {@code first} on. */
    private static List<Reading> hourlySystolic(long first, double... mmHg) {
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i < mmHg.length; i++) {
            readings.add(new Reading(1, 50, Metric.SYSTOLIC_BP, first + i * 3_600_000L, mmHg[i]));
        }
        return List.copyOf(readings);
    }

    /** Day {@code d}: blood pressure at 07:00 and 19:00, weight at 07:05. */
    private static List<Reading> oneDay(int d, double systolic, double weight) {
        long bp1 = day(d, 7, 0).toEpochMilli();
        long bp2 = day(d, 19, 0).toEpochMilli();
        return List.of(
                new Reading(1, 50, Metric.SYSTOLIC_BP, bp1, systolic), new Reading(1, 50, Metric.DIASTOLIC_BP, bp1, 90),
                new Reading(5, 50, Metric.BODY_WEIGHT, day(d, 7, 5).toEpochMilli(), weight),
                new Reading(1, 50, Metric.SYSTOLIC_BP, bp2, systolic + 4), new Reading(1, 50, Metric.DIASTOLIC_BP, bp2, 92));
    }

    private static List<Reading> days(int from, int to) {
        List<Reading> all = new ArrayList<>();
        double[] systolic = {150, 152, 149, 155, 151, 178, 153, 150, 148, 151, 120, 118, 121, 119};
        double[] weight = {70.0, 70.2, 70.1, 70.6, 71.4, 72.4, 72.9, 72.8, 71.8, 71.0, 70.5, 70.3, 70.2, 70.1};
        for (int d = from; d < to; d++) {
            all.addAll(oneDay(d, systolic[d], weight[d]));
        }
        return all;
    }

    /** Feeds readings moment by moment, each received when measured. */
    private static List<AlertSignal> live(ClinicalEngine engine, List<Reading> readings) {
        List<AlertSignal> signals = new ArrayList<>();
        int i = 0;
        while (i < readings.size()) {
            int j = i;
            while (j < readings.size() && readings.get(j).measuredAt() == readings.get(i).measuredAt()) {
                j++;
            }
            signals.addAll(engine.onReadings(PROFILE, readings.subList(i, j),
                    Instant.ofEpochMilli(readings.get(i).measuredAt())));
            i = j;
        }
        return signals;
    }

    @Test
    void aRebuiltEngineSignalsNothingAndThenBehavesAsIfItHadNeverStopped() {
        ClinicalEngine original = engine();
        Fixtures.AlertStore store = new Fixtures.AlertStore();
        store.record(live(original, days(0, 8)));
        assertThat(store.known()).extracting(KnownAlert::ruleId, KnownAlert::active).contains(
                tuple("bp_mean_high", true),
                tuple("weight_gain", true));

        ClinicalEngine restarted = engine();
        assertThat(restarted.rebuild(PROFILE, days(0, 8), store.known(), day(8, 0, 0))).isEmpty();
        assertThat(restarted.onTick(day(8, 0, 1))).isEmpty();

        List<AlertSignal> afterOriginal = live(original, days(8, 14));
        List<AlertSignal> afterRestart = live(restarted, days(8, 14));
        assertThat(afterRestart).isEqualTo(afterOriginal);
        assertThat(afterRestart).extracting(AlertSignal::kind).doesNotContain(Kind.OPEN)
                .contains(Kind.UPDATE, Kind.CLEAR);
    }

    @Test
    void anEpisodeTheDoctorResolvedIsNotReopenedByARestart() {
        ClinicalEngine original = engine();
        Fixtures.AlertStore store = new Fixtures.AlertStore();
        List<Reading> history = hourlySystolic(day(0, 7, 0).toEpochMilli(), 165);
        store.record(live(original, history));
        store.resolve("blood_pressure_high");

        ClinicalEngine restarted = engine();
        assertThat(restarted.rebuild(PROFILE, history, store.known(), day(0, 8, 0))).isEmpty();
        Fixtures.Feed feed = new Fixtures.Feed(restarted, PROFILE);
        assertThat(feed.send(1, day(0, 19, 0), Metric.SYSTOLIC_BP, 168)).as("still warning: quiet").isEmpty();
        assertThat(Fixtures.lines(feed.send(1, day(1, 7, 0), Metric.SYSTOLIC_BP, 182)))
                .as("worse than what the doctor resolved")
                .containsExactly("2026-03-03T07:00:00Z blood_pressure_high OPEN critical");
    }

    @Test
    void anAlertLostBetweenStoringReadingsAndRecordingItIsRaisedOnRebuild() {
        List<Reading> history = hourlySystolic(day(0, 7, 0).toEpochMilli(), 186);
        List<AlertSignal> signals = engine()
                .rebuild(PROFILE, history, List.of(), day(0, 8, 0));
        assertThat(signals).singleElement().satisfies(s -> {
            assertThat(Fixtures.line(s)).isEqualTo("2026-03-02T07:00:00Z blood_pressure_high OPEN critical late");
            assertThat(s.detail()).isEqualTo("raised from stored readings, not signalled before a restart: systolic BP 186 mmHg");
        });
    }

    @Test
    void anEscalationOrAClearLostInACrashIsSignalledOnRebuild() {
        long t0 = day(0, 7, 0).toEpochMilli();
        List<Reading> worse = hourlySystolic(t0, 165, 186);
        List<KnownAlert> warning = List.of(new KnownAlert("blood_pressure_high", Severity.WARNING, true, t0));
        assertThat(Fixtures.lines(engine().rebuild(PROFILE, worse, warning, day(1, 0, 0))))
                .containsExactly("2026-03-02T08:00:00Z blood_pressure_high WORSEN critical late");

        List<Reading> cleared = hourlySystolic(t0, 165, 120, 122);
        assertThat(Fixtures.lines(engine().rebuild(PROFILE, cleared, warning, day(1, 0, 0))))
                .as("a warning may clear itself")
                .containsExactly("2026-03-02T09:00:00Z blood_pressure_high CLEAR warning late");
    }

    /**
     * Verifies that a replay never clears a critical alert the store holds open: back in range before the
     * restart, it is marked so and stays open for the doctor, whether the replay saw the crisis or only its end.
     */
    @Test
    void aCriticalAlertWhoseReplayClearedStaysOpenMarkedBackInRange() {
        long t0 = day(0, 7, 0).toEpochMilli();
        List<Reading> crisisThenNormal = hourlySystolic(t0, 186, 120, 122);
        List<KnownAlert> critical = List.of(new KnownAlert("blood_pressure_high", Severity.CRITICAL, true, t0));
        assertThat(Fixtures.lines(engine().rebuild(PROFILE, crisisThenNormal, critical,
                day(1, 0, 0))))
                .containsExactly("2026-03-02T09:00:00Z blood_pressure_high BACK_IN_RANGE critical late");

        // The crisis itself is older than the history; the replay sees a warning-level reading clear.
        List<Reading> onlyTheEnd = hourlySystolic(t0, 165, 120, 122);
        List<KnownAlert> olderCrisis = List.of(new KnownAlert("blood_pressure_high", Severity.CRITICAL, true,
                t0 - Duration.ofDays(20).toMillis()));
        ClinicalEngine restarted = engine();
        assertThat(Fixtures.lines(restarted.rebuild(PROFILE, onlyTheEnd, olderCrisis, day(1, 0, 0))))
                .containsExactly("2026-03-02T09:00:00Z blood_pressure_high BACK_IN_RANGE critical late");
        Fixtures.Feed feed = new Fixtures.Feed(restarted, PROFILE);
        assertThat(feed.send(1, day(1, 7, 0), Metric.SYSTOLIC_BP, 121)).as("still open, nothing to clear").isEmpty();
        assertThat(Fixtures.lines(feed.send(1, day(1, 19, 0), Metric.SYSTOLIC_BP, 184)))
                .as("the crisis is back: the open alert notifies again")
                .containsExactly("2026-03-03T19:00:00Z blood_pressure_high RECUR critical");
    }

    /** Verifies that an alert the store holds open stays open when the replay has nothing to say about it. */
    @Test
    void aReplayThatMarkedNothingSignalsNothing() {
        ClinicalEngine original = engine();
        Fixtures.AlertStore store = new Fixtures.AlertStore();
        List<Reading> history = hourlySystolic(day(0, 7, 0).toEpochMilli(), 186, 120, 121);
        store.record(live(original, history));
        assertThat(store.known()).singleElement().satisfies(a -> assertThat(a.active()).isTrue());
        assertThat(engine().rebuild(PROFILE, history, store.known(), day(0, 10, 0)))
                .as("the mark was recorded before the restart").isEmpty();
    }

    @Test
    void anActiveAlertOlderThanTheHistoryIsKeptAndUpdatedNotReopened() {
        ClinicalEngine restarted = engine();
        List<KnownAlert> known = List.of(new KnownAlert("blood_pressure_high", Severity.CRITICAL, true,
                T0.minus(Duration.ofDays(30)).toEpochMilli()));
        assertThat(restarted.rebuild(PROFILE, List.of(), known, day(0, 0, 0))).isEmpty();
        Fixtures.Feed feed = new Fixtures.Feed(restarted, PROFILE);
        assertThat(feed.send(1, day(0, 7, 0), Metric.SYSTOLIC_BP, 183)).extracting(AlertSignal::kind)
                .containsExactly(Kind.UPDATE);
    }

    @Test
    void missingDataIsNotReopenedAfterARestart() {
        ClinicalEngine original = engine();
        Fixtures.AlertStore store = new Fixtures.AlertStore();
        List<Reading> history = List.of(new Reading(5, 50, Metric.BODY_WEIGHT, day(0, 8, 0).toEpochMilli(), 70));
        store.record(live(original, history));
        store.record(original.onTick(day(1, 20, 0)));
        assertThat(store.known()).extracting(KnownAlert::ruleId).containsExactly("missing_body_weight");

        ClinicalEngine restarted = engine();
        assertThat(restarted.rebuild(PROFILE, history, store.known(), day(2, 0, 0))).isEmpty();
        assertThat(restarted.onTick(day(2, 0, 1))).isEmpty();
        assertThat(restarted.onReading(PROFILE, new Reading(5, 50, Metric.BODY_WEIGHT,
                day(2, 7, 0).toEpochMilli(), 70.1), day(2, 7, 0)))
                .extracting(AlertSignal::kind).containsExactly(Kind.CLEAR);
    }

    @Test
    void aStreamCutByTheLookbackIsNotTakenForASpotMeasurement() {
        // A wearable streaming heart rate every 5 s: a spike to 155 during exercise is part of the stream, which the
        // spot rule (heart_rate_abnormal) leaves to the sustained rule. A rebuild's history starts where the lookback
        // cuts the stream, so its first reading has no predecessor; were it taken for a spot measurement, the spike
        // there would be raised as a critical alert nobody was ever sent. Cut in the middle of the session, and
        // five readings before its end (too few left to tell a streamer by).
        assertThat(rebuiltFromSpike(360)).isEmpty();
        assertThat(rebuiltFromSpike(715)).isEmpty();
    }

    /** Rebuilds, one lookback after it, from a spike at index {@code spike} of a 5-s heart-rate session. */
    private static List<AlertSignal> rebuiltFromSpike(int spike) {
        long t0 = day(0, 7, 0).toEpochMilli();
        List<Reading> stream = new ArrayList<>();
        for (int i = 0; i < 720; i++) {
            stream.add(new Reading(7, 50, Metric.HEART_RATE, t0 + i * 5_000L, i == spike ? 155 : 80));
        }
        assertThat(live(engine(), stream)).as("the live engine saw the spike in its stream").isEmpty();
        ClinicalEngine restarted = engine();
        Instant now = Instant.ofEpochMilli(stream.get(spike).measuredAt()).plus(restarted.historyNeeded());
        return restarted.rebuild(PROFILE, stream.subList(spike, stream.size()), List.of(), now);
    }

    @Test
    void aKnownStreamerIsStillOneWhenItsHistoryStartsBetweenSessions() {
        // A wearable that streams SpO2 every 5 s in sessions and sends a sample every 10 min in between. The live
        // engine knows it for a streamer from its first session, so the spot rule (spo2_low) never sees its samples;
        // a low one (88 %, a loose sensor) is left to the sustained rule. A rebuild whose history starts between
        // sessions must not take the samples before the first session it holds for spot measurements.
        long t0 = day(0, 7, 0).toEpochMilli();
        List<Reading> before = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            before.add(new Reading(7, 50, Metric.SPO2, t0 + i * 5_000L, 97));
        }
        long cut = t0 + Duration.ofHours(1).toMillis();
        List<Reading> history = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            history.add(new Reading(7, 50, Metric.SPO2, cut + i * 600_000L, i == 3 ? 88 : 96));
        }
        long session = cut + Duration.ofHours(2).toMillis();
        for (int i = 0; i < 120; i++) {
            history.add(new Reading(7, 50, Metric.SPO2, session + i * 5_000L, 97));
        }
        ClinicalEngine original = engine();
        assertThat(live(original, before)).isEmpty();
        assertThat(live(original, history)).as("the live engine knew the streamer").isEmpty();

        ClinicalEngine restarted = engine();
        Instant now = Instant.ofEpochMilli(cut).plus(restarted.historyNeeded());
        assertThat(restarted.rebuild(PROFILE, history, List.of(), now)).isEmpty();
    }

    @Test
    void theNewestReadingFromBeforeTheLookbackOnlyDatesMissingData() {
        // A glucose expected daily, last measured 20 days ago at 2.8 mmol/L: alerted then, resolved by the doctor
        // and outside the alerts a rebuild reads. The store hands that reading over so that missing data counts
        // from it; the rules must not raise it again.
        PatientProfile expectingGlucose = PatientProfile.of(50, T0, Condition.DIABETES)
                .expecting(ExpectedMeasurement.every(Metric.GLUCOSE, Duration.ofDays(1)));
        List<Reading> history = List.of(new Reading(3, 50, Metric.GLUCOSE, day(0, 7, 0).toEpochMilli(), 2.8));
        ClinicalEngine restarted = engine();
        assertThat(restarted.rebuild(expectingGlucose, history, List.of(), day(20, 8, 0))).isEmpty();
        assertThat(restarted.onTick(day(20, 8, 1))).as("overdue from the old reading on (a day and its grace), nothing else")
                .extracting(AlertSignal::ruleId, AlertSignal::kind, AlertSignal::measuredAt)
                .containsExactly(tuple("missing_glucose", Kind.OPEN, day(1, 19, 0).toEpochMilli()));
    }

    @Test
    void historyNeededCoversTheLongestWindowAndTheLateHorizon() {
        assertThat(engine().historyNeeded()).isEqualTo(Duration.ofDays(16));
    }
}
