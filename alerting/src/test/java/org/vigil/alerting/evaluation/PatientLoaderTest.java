package org.vigil.alerting.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.alerting.clinical.ClinicalEngine;
import org.vigil.alerting.clinical.KnownAlert;
import org.vigil.alerting.clinical.PatientProfile;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.EngineStateStore;
import org.vigil.alerting.store.PatientSnapshot;
import org.vigil.alerting.testing.BuiltInRules;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.model.Condition;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;
import org.vigil.common.model.Severity;
import org.vigil.common.testing.HandClock;

/** The patient state machine on its own: loads answered by hand, a real engine with the built-in rules. */
@Timeout(10)
class PatientLoaderTest {

    private static final long PATIENT = 7;
    private static final long STREAM = 1;
    private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");
    private static final PatientProfile PROFILE = PatientProfile.of(PATIENT, T0, Condition.HYPERTENSION,
            Condition.HEART_FAILURE);

    /** Reads that wait until the test answers them. */
    private static final class HandReads implements PatientReads {
        final Map<Long, List<BiConsumer<Optional<PatientSnapshot>, Throwable>>> histories = new HashMap<>();
        final List<BiConsumer<Optional<PatientProfile>, Throwable>> profiles = new ArrayList<>();
        /** Whether each history read asked for saved state, in order. */
        final List<Boolean> savedAskedFor = new ArrayList<>();

        @Override
        public void history(long patientId, boolean useSaved,
                            BiConsumer<Optional<PatientSnapshot>, Throwable> done) {
            histories.computeIfAbsent(patientId, k -> new ArrayList<>()).add(done);
            savedAskedFor.add(useSaved);
        }

        @Override
        public void profile(long patientId, BiConsumer<Optional<PatientProfile>, Throwable> done) {
            profiles.add(done);
        }

        /** Answers the patient's oldest open history read with her stored readings. */
        void land(long patientId, List<Reading> stored) {
            land(patientId, stored, Map.of());
        }

        /** The same, with the log positions of her newest stored reading per stream. */
        void land(long patientId, List<Reading> stored, Map<Long, Long> positions) {
            land(new PatientSnapshot(PROFILE, stored, List.of(), List.of(), positions));
        }

        void land(PatientSnapshot snapshot) {
            histories.get(snapshot.profile().patientId()).removeFirst().accept(Optional.of(snapshot), null);
        }
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HandReads reads = new HandReads();
    /** Set by the test: each batch is received when its readings were measured. */
    private final HandClock clock = new HandClock(T0);
    private final List<String> written = new ArrayList<>();
    private final List<String> ended = new ArrayList<>();
    private final EvaluationProgress progress = new EvaluationProgress();
    private final PatientLoader loader = newLoader(engine());
    /** The same in cluster mode: records of the readings topic. */
    private final ClinicalEngine clusterEngine = engine();
    private final PatientLoader cluster = newLoader(clusterEngine);

    private static ClinicalEngine engine() {
        return new ClinicalEngine(BuiltInRules.RULES);
    }

    private PatientLoader newLoader(ClinicalEngine engine) {
        return new PatientLoader(engine, reads, new PatientLoader.Results() {
                @Override
                public void signals(List<AlertSignal> signals) {
                    signals.forEach(s -> written.add(Instant.ofEpochMilli(s.measuredAt()) + " " + s.ruleId() + " "
                            + s.kind() + (s.late() ? " late" : "")));
                }

                @Override
                public void loadEnded(long patientId, boolean ok) {
                    ended.add(patientId + (ok ? " ok" : " failed"));
                }
            }, progress, new AlertingMetrics(registry), clock);
    }

    /** Hands over a batch as it would arrive the moment its last reading was measured. */
    private void arrive(long lastPosition, Reading... readings) {
        clock.set(Instant.ofEpochMilli(readings[readings.length - 1].measuredAt()));
        loader.readings(new ReadingBatch(STREAM, lastPosition, List.of(readings)));
    }

    private static Reading spo2(String time, double value) {
        return new Reading(2, PATIENT, Metric.SPO2, Instant.parse("2026-03-02T" + time + "Z").toEpochMilli(), value);
    }

    private static Reading systolic(String time, double value) {
        return new Reading(1, PATIENT, Metric.SYSTOLIC_BP, Instant.parse("2026-03-02T" + time + "Z").toEpochMilli(),
                value);
    }

    private static Reading diastolic(String time, double value) {
        return new Reading(1, PATIENT, Metric.DIASTOLIC_BP, Instant.parse("2026-03-02T" + time + "Z").toEpochMilli(),
                value);
    }

    /**
     * Verifies that readings and a resolution that arrive while a patient loads wait, are evaluated after the
     * rebuild in arrival order as new data (not replayed from the history that holds them too), and that the
     * stream's cursor waits for them.
     */
    @Test
    void workArrivingWhileAPatientLoadsIsEvaluatedInArrivalOrderOnceSheIsRebuilt() {
        Reading crisisSys = systolic("07:00:00", 196);
        Reading crisisDia = diastolic("07:00:00", 118);
        Reading low = spo2("08:00:00", 86);
        Reading recovered = spo2("08:10:00", 97);
        Reading lowAgain = spo2("08:20:00", 86);

        arrive(10, crisisSys, crisisDia);
        arrive(20, low);
        loader.resolved(PATIENT, "spo2_low");
        arrive(30, recovered);
        arrive(40, lowAgain);

        assertThat(reads.histories.get(PATIENT)).as("one load for all of it").hasSize(1);
        assertThat(written).isEmpty();
        assertThat(progress.takeMoved()).as("nothing evaluated yet").isEmpty();

        reads.land(PATIENT, List.of(crisisSys, crisisDia, low, recovered, lowAgain));

        assertThat(written).containsExactly(
                "2026-03-02T07:00:00Z blood_pressure_high OPEN",
                "2026-03-02T08:00:00Z spo2_low OPEN",
                "2026-03-02T08:00:00Z news2 OPEN",
                // Resolved before it recovered: quiet, no BACK_IN_RANGE; low again so soon is no new episode.
                "2026-03-02T08:20:00Z news2 UPDATE");
        assertThat(ended).containsExactly(PATIENT + " ok");
        assertThat(progress.takeMoved()).isEqualTo(Map.of(STREAM, 40L));
    }

    /** Verifies that a loaded patient is evaluated at once, without another load. */
    @Test
    void aLoadedPatientIsEvaluatedAtOnce() {
        loader.load(List.of(PATIENT));
        reads.land(PATIENT, List.of());

        arrive(10, spo2("08:00:00", 86));

        assertThat(written).containsExactly("2026-03-02T08:00:00Z spo2_low OPEN");
        assertThat(reads.histories.get(PATIENT)).isEmpty();
        assertThat(progress.takeMoved()).isEqualTo(Map.of(STREAM, 10L));
    }

    /** Verifies that a load given up on ends its waiting batch parts, so the stream's cursor is not stuck. */
    @Test
    void aFailedLoadEndsTheWorkWaitingForIt() {
        arrive(10, spo2("08:00:00", 86));

        reads.histories.get(PATIENT).removeFirst().accept(null, new IllegalStateException("schema broken"));

        assertThat(written).isEmpty();
        assertThat(ended).containsExactly(PATIENT + " failed");
        assertThat(progress.takeMoved()).isEqualTo(Map.of(STREAM, 10L));
    }

    /** Verifies that a care-plan change during the first load is not lost: the profile is read once it lands. */
    @Test
    void aProfileChangeDuringTheFirstLoadIsReadOnceItLands() {
        loader.load(List.of(PATIENT));
        loader.profileChanged(PATIENT, true);
        assertThat(reads.profiles).isEmpty();

        reads.land(PATIENT, List.of());

        assertThat(reads.profiles).hasSize(1);
    }

    /** Verifies that of two profile reloads only the newest lands, whichever read finishes last. */
    @Test
    void onlyTheNewestOfTwoProfileReloadsLands() {
        loader.load(List.of(PATIENT));
        reads.land(PATIENT, List.of());

        loader.profileChanged(PATIENT, false);
        loader.profileChanged(PATIENT, false);
        reads.profiles.get(1).accept(Optional.of(PROFILE), null);
        reads.profiles.get(0).accept(Optional.of(PatientProfile.of(PATIENT, T0, Condition.HYPERTENSION)), null);

        assertThat(registry.get(AlertingMetrics.PROFILES_RELOADED).counter().count()).isEqualTo(1);
    }

    /** Verifies that a patient unknown here is loaded on a care-plan change, and not on other changes. */
    @Test
    void anUnknownPatientIsLoadedOnlyWhenHerCarePlanChanges() {
        loader.profileChanged(PATIENT, false);
        assertThat(reads.histories).isEmpty();
        loader.profileChanged(PATIENT, true);
        assertThat(reads.histories.get(PATIENT)).hasSize(1);
    }

    /** Verifies that a rebuild asked for forgets what the loader knew of the patient and reads her again. */
    @Test
    void aReloadReadsAKnownPatientAgain() {
        loader.load(List.of(PATIENT));
        reads.land(PATIENT, List.of());
        loader.load(List.of(PATIENT));
        assertThat(reads.histories.get(PATIENT)).as("already known").isEmpty();

        loader.reload(Map.of(PATIENT, T0.toEpochMilli()));

        assertThat(reads.histories.get(PATIENT)).hasSize(1);
    }

    /**
     * Verifies that a reload for a dead stream's readings reads her whole history, not her saved state, when one of
     * them was measured before that state's tail begins (a glucometer synced days late): it was never evaluated, and
     * the tail reaches back only a day before the state was saved. Without a newer state than now allows, a reading
     * more than a day old goes to the whole history at once; a recent one may use the saved state, unless the state
     * that comes began its tail after it (a clock stepped back, a newer state saved meanwhile).
     */
    @Test
    void aReloadForAReadingOlderThanTheSavedStatesTailReadsTheWholeHistory() {
        loader.reload(Map.of(PATIENT, T0.minus(Duration.ofDays(3)).toEpochMilli()));
        assertThat(reads.savedAskedFor).as("three days old: a state's tail cannot reach it").containsExactly(false);
        reads.land(PATIENT, List.of());

        long other = PATIENT + 1;
        long recent = T0.minus(Duration.ofHours(2)).toEpochMilli();
        loader.reload(Map.of(other, recent));
        assertThat(reads.savedAskedFor).containsExactly(false, true);
        reads.land(new PatientSnapshot(PatientProfile.of(other, T0, Condition.HYPERTENSION), List.of(),
                List.of(), List.of(), Map.of(STREAM, 30L),
                new EngineStateStore.Saved(new byte[] {1}, 0, Map.of(STREAM, 15L)), recent + 1));
        assertThat(reads.savedAskedFor).as("its tail began after it: read again without it")
                .containsExactly(false, true, false);
        assertThat(ended).as("still loading").containsExactly(PATIENT + " ok");
        reads.land(new PatientSnapshot(PatientProfile.of(other, T0, Condition.HYPERTENSION), List.of(),
                List.of(), List.of(), Map.of(STREAM, 30L)));
        assertThat(ended).containsExactly(PATIENT + " ok", other + " ok");
        assertThat(registry.get(AlertingMetrics.PATIENTS_REBUILT).tag("from", "history").counter().count())
                .isEqualTo(2);
        assertThat(registry.get(AlertingMetrics.PATIENTS_REBUILT).tag("from", "saved").counter().count()).isZero();
    }

    /** Whether the cluster loader has seen a record up to {@code position} of one of the patient's readings at 08:00. */
    private boolean seen(long patient, long stream, long position) {
        Reading r = new Reading(3, patient, Metric.SPO2, Instant.parse("2026-03-02T08:00:00Z").toEpochMilli(), 97);
        return cluster.seen(new ReadingBatch(stream, position, List.of(r)));
    }

    /** A record of the readings topic: the patient's readings with the position of the last one. */
    private EvaluationProgress.Batch record(long lastPosition, Reading... readings) {
        clock.set(Instant.ofEpochMilli(readings[readings.length - 1].measuredAt()));
        return cluster.record(new ReadingBatch(STREAM, lastPosition, List.of(readings)));
    }

    /**
     * Verifies that in cluster mode a record whose readings the patient's load read as history, or that was
     * evaluated already, is seen (a replay), and a newer one is not.
     */
    @Test
    void aRecordAlreadyReadAsHistoryOrEvaluatedIsSeen() {
        Reading low = spo2("08:00:00", 86);
        cluster.load(List.of(PATIENT));
        reads.land(PATIENT, List.of(low), Map.of(STREAM, 50L));

        assertThat(seen(PATIENT, STREAM, 50)).as("read as her history").isTrue();
        assertThat(seen(PATIENT, STREAM, 51)).isFalse();
        assertThat(seen(PATIENT, STREAM + 1, 10)).as("another stream").isFalse();
        assertThat(seen(PATIENT + 1, STREAM, 1)).as("another patient").isFalse();

        int before = written.size();
        record(60, systolic("08:10:00", 196), diastolic("08:10:00", 118));

        assertThat(seen(PATIENT, STREAM, 60)).as("evaluated").isTrue();
        assertThat(written.subList(before, written.size())).as("evaluated as new data")
                .contains("2026-03-02T08:10:00Z blood_pressure_high OPEN");
    }

    /** Verifies that a record of a patient not loaded yet is recorded only after her load lands. */
    @Test
    void aRecordOfAPatientNotLoadedIsRecordedAfterHerLoad() {
        List<String> recorded = new ArrayList<>();
        progress.whenRecorded(record(10, spo2("08:00:00", 86)), () -> recorded.add("10"));
        assertThat(recorded).isEmpty();
        assertThat(cluster.holds(PATIENT)).isTrue();

        reads.land(PATIENT, List.of(spo2("08:00:00", 86)), Map.of(STREAM, 10L));

        assertThat(recorded).containsExactly("10");
        assertThat(written).contains("2026-03-02T08:00:00Z spo2_low OPEN");
        assertThat(progress.takeMoved()).as("records are no stream's progress here").isEmpty();
    }

    /**
     * Verifies that patients of a partition taken away are dropped, loaded or loading, their waiting work ended,
     * and a load that lands afterwards holds nobody.
     */
    @Test
    void forgottenPatientsAreDroppedWithTheirWaitingWork() {
        List<String> recorded = new ArrayList<>();
        progress.whenRecorded(record(10, spo2("08:00:00", 86)), () -> recorded.add("10"));

        assertThat(cluster.forget(id -> id == PATIENT)).isEqualTo(1);
        assertThat(recorded).as("the waiting record is over for this node").containsExactly("10");
        reads.land(PATIENT, List.of(), Map.of(STREAM, 10L));

        assertThat(cluster.holds(PATIENT)).isFalse();
        assertThat(written).isEmpty();
        assertThat(seen(PATIENT, STREAM, 10)).as("positions go with her").isFalse();
    }

    /** Verifies that a patient this node does not own is not loaded, and whoever waits hears her load is over. */
    @Test
    void aPatientNotOwnedIsNotLoaded() {
        cluster.own(id -> id != PATIENT);

        cluster.load(List.of(PATIENT));

        assertThat(reads.histories).isEmpty();
        assertThat(ended).containsExactly(PATIENT + " ok");
    }

    /**
     * Verifies that in cluster mode a patient is resumed from her saved state and the readings stored after it, and
     * that a record her saved state holds (evaluated before it was saved, its offset not committed) is not evaluated
     * again: the engine ends up exactly where the node that saved her would be.
     */
    @Test
    void aPatientResumedFromSavedStateIsNotGivenWhatItHoldsAgain() {
        ClinicalEngine before = engine();
        Reading crisisSys = systolic("07:00:00", 196);
        Reading crisisDia = diastolic("07:00:00", 118);
        Reading calmSys = systolic("07:30:00", 150);
        Reading calmDia = diastolic("07:30:00", 95);
        before.onReadings(PROFILE, List.of(crisisSys, crisisDia), Instant.parse("2026-03-02T07:00:00Z"));
        before.onReadings(PROFILE, List.of(calmSys, calmDia), Instant.parse("2026-03-02T07:30:00Z"));
        byte[] saved = before.saveState(PATIENT);

        // The crisis record comes again (the dead node had not committed it), then a new one.
        record(10, crisisSys, crisisDia);
        Reading low = spo2("08:00:00", 86);
        record(20, low);
        assertThat(reads.savedAskedFor).containsExactly(true);
        reads.land(new PatientSnapshot(PROFILE, List.of(low),
                List.of(new KnownAlert("blood_pressure_high", Severity.CRITICAL, true, crisisSys.measuredAt())),
                List.of(), Map.of(STREAM, 20L), new EngineStateStore.Saved(saved, 0, Map.of(STREAM, 15L)),
                Instant.parse("2026-03-01T07:30:00Z").toEpochMilli()));

        before.onReadings(PROFILE, List.of(low), Instant.parse("2026-03-02T08:00:00Z"));
        assertThat(clusterEngine.saveState(PATIENT)).as("the crisis not taken in twice")
                .isEqualTo(before.saveState(PATIENT));
        assertThat(written).as("the new record's alerts, no other").containsExactly("2026-03-02T08:00:00Z spo2_low OPEN",
                "2026-03-02T08:00:00Z news2 OPEN");
        assertThat(registry.get(AlertingMetrics.PATIENTS_REBUILT).tag("from", "saved").counter().count()).isOne();
        assertThat(seen(PATIENT, STREAM, 20)).isTrue();
        assertThat(cluster.heldPositions(PATIENT)).containsExactly(20L);
    }

    /**
     * Verifies that without Kafka too a patient's state is worth saving once she is loaded, with the position of the
     * last batch of hers that was evaluated: what her load after a restart need not read again.
     */
    @Test
    void aBatchFromIngestMovesThePositionsHerSavedStateHolds() {
        arrive(30, spo2("08:00:00", 97));
        assertThat(reads.savedAskedFor).as("saved state asked for without Kafka too").containsExactly(true);
        assertThat(loader.takeChanged(id -> true)).as("still loading").isEmpty();
        reads.land(PATIENT, List.of(spo2("07:50:00", 96)), Map.of(STREAM, 12L));
        assertThat(loader.takeChanged(id -> true)).containsExactly(PATIENT);
        assertThat(loader.heldPositions(PATIENT)).containsExactly(30L);

        arrive(45, spo2("08:10:00", 96));
        assertThat(loader.takeChanged(id -> true)).containsExactly(PATIENT);
        assertThat(loader.heldPositions(PATIENT)).containsExactly(45L);
        assertThat(loader.takeChanged(id -> true)).as("nothing new").isEmpty();
    }

    /**
     * Verifies that a saved state's position of a stream none of her loaded readings came from (a writer of a
     * previous life) is not saved again, so that positions do not pile up with every restart, while a record of that
     * stream the state holds is still seen.
     */
    @Test
    void positionsOfStreamsOutsideHerTailAreNotSavedAgain() {
        long oldStream = STREAM - 1;
        ClinicalEngine before = engine();
        before.onReadings(PROFILE, List.of(spo2("07:00:00", 96)), Instant.parse("2026-03-02T07:00:00Z"));
        cluster.load(List.of(PATIENT));
        reads.land(new PatientSnapshot(PROFILE, List.of(), List.of(), List.of(), Map.of(STREAM, 20L),
                new EngineStateStore.Saved(before.saveState(PATIENT), 0, Map.of(STREAM, 15L, oldStream, 7L)),
                Instant.parse("2026-03-01T07:30:00Z").toEpochMilli()));

        assertThat(cluster.heldPositions(PATIENT)).containsExactly(20L);
        assertThat(seen(PATIENT, oldStream, 7)).isTrue();
        assertThat(seen(PATIENT, oldStream, 8)).isFalse();
    }

    /** Verifies that saved state that cannot be used makes the loader read her whole history instead. */
    @Test
    void unusableSavedStateFallsBackToTheWholeHistory() {
        Reading low = spo2("08:00:00", 86);
        record(20, low);
        reads.land(new PatientSnapshot(PROFILE, List.of(low), List.of(), List.of(), Map.of(STREAM, 20L),
                new EngineStateStore.Saved(new byte[] {1, 2, 3}, 0, Map.of(STREAM, 15L)), Long.MIN_VALUE));

        assertThat(reads.savedAskedFor).containsExactly(true, false);
        assertThat(written).as("nothing evaluated yet").isEmpty();
        reads.land(PATIENT, List.of(spo2("07:50:00", 95), low), Map.of(STREAM, 20L));

        assertThat(written).containsExactly("2026-03-02T08:00:00Z spo2_low OPEN");
        assertThat(registry.get(AlertingMetrics.STATES_REFUSED).counter().count()).isOne();
        assertThat(registry.get(AlertingMetrics.PATIENTS_REBUILT).tag("from", "history").counter().count()).isOne();
    }

    /**
     * Verifies that a record below the newest position her load read, but measured before its history began (stored
     * long after it was measured), is not taken for seen: it is not in her state.
     */
    @Test
    void aRecordMeasuredBeforeTheHistoryBeganIsNotSeen() {
        cluster.load(List.of(PATIENT));
        reads.land(new PatientSnapshot(PROFILE, List.of(), List.of(), List.of(), Map.of(STREAM, 50L), null,
                Instant.parse("2026-03-02T07:00:00Z").toEpochMilli()));
        Reading measuredBefore = spo2("06:00:00", 84);
        Reading measuredAfter = spo2("07:30:00", 96);

        assertThat(cluster.seen(new ReadingBatch(STREAM, 40, List.of(measuredBefore)))).isFalse();
        assertThat(cluster.seen(new ReadingBatch(STREAM, 40, List.of(measuredAfter)))).isTrue();
        assertThat(cluster.takeChanged(id -> true)).as("loaded: her state is worth saving").containsExactly(PATIENT);
        assertThat(cluster.takeChanged(id -> true)).isEmpty();
    }
}
