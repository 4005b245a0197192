package org.vigil.alerting.evaluation;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.alerting.clinical.ClinicalEngine;
import org.vigil.alerting.clinical.PatientProfile;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.PatientSnapshot;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.model.Reading;

/**
 * Which patients the {@link ClinicalEngine} holds, and the work for a patient whose state is still being read.
 *
 * <p><b>States of a patient.</b> Unknown, loading, or loaded (with the profile she is evaluated by). Work for a
 * loaded patient goes to the engine at once. Work for an unknown patient starts a load; work for a loading one
 * (readings, a doctor's resolution) waits in arrival order in her {@link WaitingWork}. When the load lands the engine
 * {@linkplain ClinicalEngine#resume resumes} her from her saved state where there is one ({@link StateSaver}), or
 * {@linkplain ClinicalEngine#rebuild rebuilds} her silently from her history (also when the state does not fit),
 * and the queue is evaluated in that order. The queued readings are already stored, so they are taken out of the
 * loaded history: they are evaluated as new data, not replayed as the past; and those her saved state holds are not
 * evaluated again.
 *
 * <p><b>Entry points.</b> {@link #load} and {@link #reload} take a set of patients (care plans that expect
 * measurements, streams a crash left unevaluated, the patients of partitions assigned in cluster mode), paced by
 * {@link PacedLoads}; {@link #forget} is the opposite, for partitions taken away, and {@link #own} says which
 * patients this node may hold at all.
 *
 * <p><b>Positions.</b> Per patient and ingest log stream the loader keeps the highest position she was evaluated up
 * to, starting from her snapshot's ({@link HeldPositions}); they go with her saved state, for which the loader names
 * the patients that changed. In cluster mode {@link #record} takes one patient's readings from the readings topic
 * with the log position of the last one; a record can come twice (a poll retried, a partition's uncommitted tail
 * replayed by its next owner) or hold readings her load already read as history, and {@link #seen} tells a record
 * at or below her position.
 *
 * <p><b>Profile changes.</b> A loaded patient's profile is read again; of two reloads in quick succession only the
 * newest may land. A change during the first load is remembered and reloaded once the load lands.
 *
 * <p><b>Threading.</b> Pure and single-threaded: the alerting verticle calls it on its event loop, and
 * {@link PatientReads} must answer there too. No Vert.x here, so the state machine has a plain unit test.
 *
 * <p>Why one class of close to 400 lines: a patient's state is in three places (held, loading with the work that
 * waits, paced) that every event changes together; what can stand alone does: {@link PacedLoads},
 * {@link WaitingWork}, {@link HeldPositions}, {@link ProfileReloads}, {@link UnevaluatedReadings},
 * {@link GuardedEngine}.
 */
final class PatientLoader {

    private static final Logger LOG = LoggerFactory.getLogger(PatientLoader.class);
    /**
     * Paced loads in flight: the stored reads take histories up to 200 at a time ({@code StoredPatientReads}), so
     * two batches' worth keeps the database busy while holding two workers, not hundreds.
     */
    private static final int MAX_PACED_LOADS = 400;

    /** Where the loader's results go: the signals to record, and the end of each load. */
    interface Results {
        void signals(List<AlertSignal> signals);

        /** A load ended: {@code ok} if she was rebuilt or is unknown, false if it was given up on. */
        void loadEnded(long patientId, boolean ok);
    }

    private final ClinicalEngine engine;
    private final GuardedEngine guarded;
    private final PatientReads reads;
    private final Results results;
    private final EvaluationProgress progress;
    private final AlertingMetrics metrics;
    private final Clock clock;
    /** Patients the engine holds, with the profile it evaluates them by. */
    private final Map<Long, PatientProfile> profiles = new HashMap<>();
    /** Patients being loaded, with the work that waits for them in arrival order. */
    private final Map<Long, WaitingWork> loading = new HashMap<>();
    private final PacedLoads pacedLoads = new PacedLoads(MAX_PACED_LOADS, this::needsLoad,
            id -> startLoad(id, new WaitingWork()));
    /** Which of her readings each patient's state holds, and whose changed since it was saved. */
    private final HeldPositions positions = new HeldPositions();
    private LongPredicate owns = id -> true;
    private final ProfileReloads reloads;
    private final UnevaluatedReadings unevaluated = new UnevaluatedReadings();

    PatientLoader(ClinicalEngine engine, PatientReads reads, Results results, EvaluationProgress progress,
                  AlertingMetrics metrics, Clock clock) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.guarded = new GuardedEngine(engine);
        this.reads = Objects.requireNonNull(reads, "reads");
        this.reloads = new ProfileReloads(reads);
        this.results = Objects.requireNonNull(results, "results");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Which patients this node may hold (cluster mode: those of its partitions); others are neither loaded nor kept. */
    void own(LongPredicate owned) {
        this.owns = Objects.requireNonNull(owned, "owned");
    }

    /**
     * Drops the patients {@code gone} matches (their partitions were taken away): the engine forgets them, and work
     * waiting for their loads is ended unevaluated (their next owner evaluates it). Returns how many were dropped.
     */
    int forget(LongPredicate gone) {
        int dropped = 0;
        for (Iterator<Long> it = profiles.keySet().iterator(); it.hasNext(); ) {
            long id = it.next();
            if (gone.test(id)) {
                it.remove();
                engine.forget(id);
                positions.forget(id);
                dropped++;
            }
        }
        for (Iterator<Map.Entry<Long, WaitingWork>> it = loading.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, WaitingWork> e = it.next();
            if (gone.test(e.getKey())) {
                it.remove();
                positions.forget(e.getKey());
                partsEnded(e.getValue());
                dropped++;
            }
        }
        unevaluated.forget(gone);
        // A load under way for a dropped patient lands on nobody (see loaded); a paced one is skipped at its turn.
        return dropped;
    }

    /** Whether the patient is held, loaded or loading. */
    boolean holds(long patientId) {
        return profiles.containsKey(patientId) || loading.containsKey(patientId);
    }

    /** Whether the record's readings were evaluated already, or are in what her load read ({@link HeldPositions}). */
    boolean seen(ReadingBatch record) {
        return positions.seen(record);
    }

    /**
     * The patients {@code which} matches that were loaded or evaluated since this was last asked, and are held now
     * (one still loading is left for later): those whose state is worth saving.
     */
    Set<Long> takeChanged(LongPredicate which) {
        return positions.takeChanged(which, id -> profiles.containsKey(id) && !loading.containsKey(id));
    }

    /** These patients' states were not saved after all; they are taken again next time. */
    void changedAgain(Collection<Long> patientIds) {
        positions.changedAgain(patientIds);
    }

    /** Per ingest log stream, the newest position of the patient's readings her state holds. */
    List<Long> heldPositions(long patientId) {
        return positions.positions(patientId);
    }

    /**
     * Evaluates one patient's record from the readings topic (cluster mode): at once when she is loaded, else once
     * her load lands. Returns the batch to {@linkplain EvaluationProgress#whenRecorded wait for}.
     */
    EvaluationProgress.Batch record(ReadingBatch record) {
        long patientId = record.readings().get(0).patientId();
        positions.evaluated(patientId, record.stream(), record.lastPosition());
        // As for a batch from ingest: one part for now, and one for once her load lands if she is not loaded yet.
        EvaluationProgress.Batch part = progress.beginUntracked(profiles.containsKey(patientId) ? 1 : 2);
        evaluate(record, part, Map.of(patientId, record.readings()));
        return part;
    }

    private boolean needsLoad(long patientId) {
        if (holds(patientId)) {
            return false;
        }
        if (!owns.test(patientId)) {
            // Not this node's any more: the load is over before it began, for whoever waits for it.
            results.loadEnded(patientId, true);
            return false;
        }
        return true;
    }

    /** Loads these patients, a few at a time, unless known or loading by their turn. */
    void load(Collection<Long> patientIds) {
        pacedLoads.addAll(patientIds);
    }

    /**
     * Some patients' readings were never evaluated (a dead stream's tail): load them again, known here or not, so
     * that the load replays them. {@code earliest}: per patient, when the earliest of them was measured (epoch ms).
     */
    void reload(Map<Long, Long> earliest) {
        for (Map.Entry<Long, Long> e : earliest.entrySet()) {
            long patientId = e.getKey();
            profiles.remove(patientId);
            unevaluated.add(patientId, e.getValue());
            if (!loading.containsKey(patientId)) {
                pacedLoads.add(patientId);
            }
        }
    }

    /**
     * A patient changed in the registry: a loaded one follows her new profile, one loading does once her load
     * lands, and one not yet known is loaded if her care plan changed (it may start expecting measurements).
     */
    void profileChanged(long patientId, boolean carePlan) {
        if (loading.containsKey(patientId)) {
            reloads.changedWhileLoading(patientId);
        } else if (profiles.containsKey(patientId)) {
            reloadProfile(patientId);
        } else if (carePlan) {
            pacedLoads.add(patientId);
        }
    }

    /** Evaluates a stored batch: loaded patients now, the others once their loads land. */
    void readings(ReadingBatch batch) {
        Map<Long, List<Reading>> byPatient = new LinkedHashMap<>();
        for (Reading r : batch.readings()) {
            byPatient.computeIfAbsent(r.patientId(), k -> new ArrayList<>()).add(r);
        }
        int waiting = 0;
        for (Long patientId : byPatient.keySet()) {
            if (!profiles.containsKey(patientId)) {
                waiting++;
            }
            // A stream's batches come in commit order, so hers up to this one's last position are all here.
            positions.evaluated(patientId, batch.stream(), batch.lastPosition());
        }
        // One part for the patients evaluated now, one for each patient evaluated once her load lands.
        evaluate(batch, progress.begin(batch.stream(), batch.lastPosition(), 1 + waiting), byPatient);
    }

    private void evaluate(ReadingBatch batch, EvaluationProgress.Batch part, Map<Long, List<Reading>> byPatient) {
        Instant receivedAt = clock.instant();
        List<AlertSignal> signals = new ArrayList<>();
        byPatient.forEach((patientId, readings) -> {
            PatientProfile profile = profiles.get(patientId);
            if (profile != null) {
                signals.addAll(guarded.evaluate(profile, readings, receivedAt));
                return;
            }
            WaitingWork queue = loading.get(patientId);
            if (queue != null) {
                queue.readings(readings, batch.stream(), batch.lastPosition(), receivedAt, part);
                return;
            }
            queue = new WaitingWork();
            queue.readings(readings, batch.stream(), batch.lastPosition(), receivedAt, part);
            startLoad(patientId, queue);
        });
        results.signals(signals);
        progress.partEvaluated(part);
    }

    /** A doctor resolved the patient's alert for the rule. */
    void resolved(long patientId, String rule) {
        WaitingWork queue = loading.get(patientId);
        if (queue != null) {
            queue.resolved(rule);
        } else if (profiles.containsKey(patientId)) {
            engine.onAlertResolved(patientId, rule);
        }
        // A patient this engine has not seen yet reads the resolution from the alert store when it is rebuilt.
    }

    /** A device of the patient connected or disconnected. */
    void connection(long patientId, long deviceId, boolean connected, Instant at) {
        // A patient being loaded takes it too: the state her load read may be older, and the newer one wins.
        if (profiles.containsKey(patientId) || loading.containsKey(patientId)) {
            engine.onConnectionState(patientId, deviceId, connected, at);
        }
    }

    private void startLoad(long patientId, WaitingWork queue) {
        loading.put(patientId, queue);
        read(patientId, unevaluated.savedStateMayDo(patientId,
                clock.instant().minus(engine.lateHorizon()).toEpochMilli()));
    }

    /** @param useSaved whether saved engine state may stand in for her history */
    private void read(long patientId, boolean useSaved) {
        reads.history(patientId, useSaved, (snapshot, failure) -> {
            if (failure == null) {
                loaded(patientId, snapshot);
                return;
            }
            WaitingWork dropped = loading.remove(patientId);
            pacedLoads.done(patientId);
            positions.forget(patientId);
            unevaluated.forget(patientId);
            LOG.error("Cannot load patient {} for alerting; {} queued batches not evaluated", patientId,
                    dropped == null ? 0 : dropped.size(), failure);
            // Given up on, like a signal that cannot be recorded: counted and logged, not retried forever.
            partsEnded(dropped);
            results.loadEnded(patientId, false);
        });
    }

    private void loaded(long patientId, Optional<PatientSnapshot> snapshot) {
        WaitingWork queue = loading.remove(patientId);
        pacedLoads.done(patientId);
        if (queue == null) {
            // Forgotten while her history was read: her partition went to another node.
            results.loadEnded(patientId, true);
            return;
        }
        if (snapshot.isEmpty()) {
            LOG.warn("Readings of an unknown patient not evaluated [patient: {}]", patientId);
            positions.forget(patientId);
            unevaluated.forget(patientId);
            partsEnded(queue);
            results.loadEnded(patientId, true);
            return;
        }
        PatientSnapshot s = snapshot.get();
        if (unevaluated.missedBy(patientId, s)) {
            // Never-evaluated readings older than this state's tail: her whole history it is.
            loading.put(patientId, queue);
            read(patientId, false);
            return;
        }
        PatientProfile profile = guarded.usable(s.profile());
        // The queued readings are stored already, so they are in the history: they are new data, not the past.
        List<Reading> past = s.historyExcept(queue.readings());
        List<AlertSignal> signals = new ArrayList<>();
        try {
            Optional<List<AlertSignal>> restored = guarded.restore(profile, s, past, clock.instant());
            if (restored.isEmpty()) {
                // Damaged, or written by other code under the same rules: her whole history it is, then.
                LOG.warn("Saved engine state not usable, reading her history [patient: {}]", patientId);
                metrics.savedStateRefused();
                loading.put(patientId, queue);
                read(patientId, false);
                return;
            }
            signals.addAll(restored.get());
        } catch (IllegalArgumentException e) {
            LOG.error("Patient not rebuilt, queued readings not evaluated [patient: {}]: {}", patientId, e.getMessage());
            positions.forget(patientId);
            partsEnded(queue);
            results.loadEnded(patientId, true);
            return;
        }
        profiles.put(patientId, profile);
        positions.loaded(patientId, s);
        metrics.patientRebuilt(s.saved() != null);
        LOG.debug("Patient rebuilt [patient: {}, from saved state: {}, readings: {}, alerts: {}, signals: {}]",
                patientId, s.saved() != null, past.size(), s.known().size(), signals.size());
        // Queued records her saved state holds were evaluated before it was saved (their offsets not yet committed).
        queue.replay((readings, receivedAt) -> signals.addAll(guarded.evaluate(profile, readings, receivedAt)),
                rule -> engine.onAlertResolved(patientId, rule),
                (stream, position) -> s.saved() != null && s.saved().holds(stream, position));
        results.signals(signals);
        partsEnded(queue);
        results.loadEnded(patientId, true);
        if (reloads.landed(patientId)) {
            reloadProfile(patientId);
        }
    }

    private void reloadProfile(long patientId) {
        reloads.reload(patientId, found -> {
            if (!profiles.containsKey(patientId)) {
                return;
            }
            PatientProfile profile = guarded.usable(found);
            profiles.put(patientId, profile);
            metrics.profileReloaded();
            results.signals(engine.track(profile));
        });
    }

    private void partsEnded(WaitingWork queue) {
        if (queue != null) {
            queue.partsEnded(progress);
        }
    }
}
