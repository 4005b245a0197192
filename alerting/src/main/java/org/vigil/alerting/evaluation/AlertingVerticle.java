package org.vigil.alerting.evaluation;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.alerting.clinical.ClinicalEngine;
import org.vigil.alerting.clinical.PatientProfile;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.AlertSignalStore;
import org.vigil.alerting.store.EscalationStore;
import org.vigil.alerting.store.EvaluationLog;
import org.vigil.alerting.store.PatientHistoryStore;
import org.vigil.common.bus.Addresses;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.db.SqlErrors;
import org.vigil.common.model.Reading;

/**
 * Runs the {@link ClinicalEngine} on stored readings and turns its signals into alerts.
 *
 * <p><b>Threading.</b> The engine is not thread-safe: this verticle owns the only instance and calls it only on
 * its own event loop (batch consumer, periodic tick, resolution consumer, completions of worker tasks). JDBC
 * runs on workers.
 *
 * <p><b>First sight of a patient.</b> The engine knows nothing of a patient after a start. The first batch for
 * a patient starts a load on a worker (profile, the last {@link ClinicalEngine#historyNeeded()} of readings,
 * the newest alert per rule) and is queued with whatever else arrives for that patient meanwhile; when the
 * load completes the engine {@linkplain ClinicalEngine#rebuild rebuilds} the patient silently and the queue is
 * evaluated in arrival order. The queued readings are already stored, so they are taken out of the loaded
 * history: they are evaluated as new data, not replayed as the past.
 *
 * <p><b>Writes.</b> Signals go to the {@link SignalWriter}, which records them in the order the engine produced
 * them and announces the changes on {@link Addresses#ALERT_CHANGED}.
 *
 * <p><b>Nothing committed goes unevaluated.</b> The hand-off from the writer's commit is an event-bus message,
 * which a crash can lose. So each batch names its ingest log stream and last position, {@link EvaluationProgress}
 * follows when its evaluation and signals are recorded, and {@link EvaluationResume} stores the streams' cursors
 * every second. At start, and every {@code resumeSweep} for streams of nodes that died meanwhile, the patients of
 * every dead stream's readings above its cursor are rebuilt: {@link ClinicalEngine#rebuild}
 * reconciles with the alert store, so an alert that was missed opens (exactly once, the unique active episode
 * sees to that) and one already recorded is not announced again. Then the streams are finished.
 */
public final class AlertingVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(AlertingVerticle.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    /**
     * Work for a patient whose state is being loaded: readings to evaluate (a part of a handed-over batch), or a
     * doctor's resolution.
     */
    private record Pending(List<Reading> readings, Instant receivedAt, String resolvedRule,
                           EvaluationProgress.Batch part) {
    }

    private static final int MAX_PACED_LOADS = 4;

    private final ClinicalEngine engine;
    private final AlertSignalStore signals;
    private final EscalationStore escalation;
    private final PatientHistoryStore history;
    private final EvaluationLog log;
    private final AlertingMetrics metrics;
    private final Clock clock;
    private final Duration tickInterval;
    private final Duration resumeSweep;
    private final EvaluationProgress progress = new EvaluationProgress();
    /** Patients the engine holds, with the profile it evaluates them by. */
    private final Map<Long, PatientProfile> profiles = new HashMap<>();
    /** Patients being loaded, with the work that waits for them in arrival order. */
    private final Map<Long, List<Pending>> loading = new HashMap<>();
    private final PacedLoads pacedLoads = new PacedLoads(MAX_PACED_LOADS,
            id -> !profiles.containsKey(id) && !loading.containsKey(id), id -> {
                loading.put(id, new ArrayList<>());
                load(id, 0);
            });
    /** The newest profile reload asked for, per patient. */
    private final Map<Long, Long> reloads = new HashMap<>();
    private long reloadGeneration;
    /** Patients whose profile changed while their first load was under way: reloaded once it lands. */
    private final Set<Long> staleWhileLoading = new HashSet<>();
    private SignalWriter writer;
    private EvaluationResume resume;
    private MessageConsumer<ReadingBatch> readings;
    private MessageConsumer<JsonObject> resolutions;
    private MessageConsumer<JsonObject> registry;
    private MessageConsumer<JsonObject> connections;
    private long ticker = -1;

    public AlertingVerticle(ClinicalEngine engine, AlertSignalStore signals, EscalationStore escalation,
                            PatientHistoryStore history, EvaluationLog log, AlertingMetrics metrics, Clock clock, Duration tickInterval, Duration resumeSweep) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.signals = Objects.requireNonNull(signals, "signals");
        this.escalation = Objects.requireNonNull(escalation, "escalation");
        this.history = Objects.requireNonNull(history, "history");
        this.log = Objects.requireNonNull(log, "log");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tickInterval = Objects.requireNonNull(tickInterval, "tickInterval");
        this.resumeSweep = Objects.requireNonNull(resumeSweep, "resumeSweep");
    }

    @Override
    public Future<?> start() {
        readings = vertx.eventBus().consumer(Addresses.READINGS_STORED, msg -> onBatch(msg.body()));
        resolutions = vertx.eventBus().consumer(Addresses.ALERT_RESOLVED, msg -> onResolved(msg.body()));
        registry = vertx.eventBus().consumer(Addresses.REGISTRY_CHANGED, msg -> onRegistryChange(msg.body()));
        connections = vertx.eventBus().consumer(Addresses.DEVICE_CONNECTION, msg -> onConnection(msg.body()));
        writer = new SignalWriter(vertx, signals, metrics, clock, progress);
        resume = new EvaluationResume(vertx, log, progress, metrics, resumeSweep,
                () -> clock.instant().minus(engine.historyNeeded()), this::rebuild);
        ticker = vertx.setPeriodic(tickInterval.toMillis(), id -> tick());
        return Future.all(readings.completion(), resolutions.completion(), registry.completion(),
                connections.completion()).compose(v -> {
                    resume.start();
                    return trackExpectingPatients();
                });
    }

    /** Some of these patients' readings were never handed over: rebuild them from storage, known here or not. */
    private void rebuild(Set<Long> patientIds) {
        for (long patientId : patientIds) {
            profiles.remove(patientId);
            if (!loading.containsKey(patientId)) {
                startLoading(patientId);
            }
        }
    }

    /**
     * Missing data has to be noticed for patients who send nothing at all, so those whose care plan expects
     * measurements are loaded at start-up, not on their first reading.
     */
    private Future<Void> trackExpectingPatients() {
        return vertx.executeBlocking(history::patientsExpectingMeasurements, false).map(ids -> {
            pacedLoads.addAll(ids);
            LOG.info("Watching {} patients whose care plans expect measurements", ids.size());
            return null;
        });
    }

    /**
     * A patient changed in the registry (care plan, conditions, contract): the engine follows her new profile
     * within moments, instead of on the next restart. A patient not yet known is loaded, so a care plan that
     * starts expecting measurements is watched at once.
     */
    private void onRegistryChange(JsonObject change) {
        if (!"patient".equals(change.getString("kind")) || change.getLong("patientId") == null) {
            return;
        }
        long patientId = change.getLong("patientId");
        if ("contract".equals(change.getString("change"))) {
            reroute(patientId, 0);
        }
        if (loading.containsKey(patientId)) {
            staleWhileLoading.add(patientId);
        } else if (profiles.containsKey(patientId)) {
            reloadProfile(patientId);
        } else if ("care_plan".equals(change.getString("change"))) {
            startLoading(patientId);
        }
    }

    /**
     * The patient's active alerts follow her to the doctor responsible now. Idempotent (alerts already with that
     * doctor are left alone), so every node may do it and a retry is harmless.
     */
    private void reroute(long patientId, int attempt) {
        vertx.executeBlocking(() -> escalation.reroute(patientId, clock.instant()), false).onComplete(ar -> {
            if (ar.succeeded()) {
                writer.announce(ar.result());
            } else if (SqlErrors.isTransient(ar.cause())) {
                vertx.setTimer(SignalWriter.backoff(attempt), t -> reroute(patientId, attempt + 1));
            } else {
                LOG.error("Active alerts of patient {} not moved to her new doctor", patientId, ar.cause());
            }
        });
    }

    private void reloadProfile(long patientId) {
        // Two changes in quick succession: only the newest reload may land, whichever read finishes last.
        long generation = ++reloadGeneration;
        reloads.put(patientId, generation);
        vertx.executeBlocking(() -> history.profile(patientId), false).onComplete(ar -> {
            if (!reloads.remove(patientId, generation)) {
                return;
            }
            if (ar.failed()) {
                LOG.warn("Profile of patient {} not reloaded: {}", patientId, ar.cause().toString());
                return;
            }
            if (ar.result().isEmpty() || !profiles.containsKey(patientId)) {
                return;
            }
            PatientProfile profile = usable(ar.result().get());
            profiles.put(patientId, profile);
            metrics.profileReloaded();
            writer.write(engine.track(profile));
        });
    }

    /** Connects and disconnects reported by ingest tell a silent device from a patient who did not measure. */
    private void onConnection(JsonObject event) {
        Long patientId = event.getLong("patientId");
        Long deviceId = event.getLong("deviceId");
        String at = event.getString("at");
        // A patient being loaded takes it too: the state her load read may be older, and the newer one wins.
        if (patientId == null || deviceId == null || at == null
                || !profiles.containsKey(patientId) && !loading.containsKey(patientId)) {
            return;
        }
        engine.onConnectionState(patientId, deviceId, event.getBoolean("connected", false), Instant.parse(at));
    }

    /** A profile whose care plan the engine rejects (rules changed since it was stored) keeps the defaults. */
    private PatientProfile usable(PatientProfile profile) {
        try {
            engine.validate(profile);
            return profile;
        } catch (IllegalArgumentException e) {
            LOG.warn("Care-plan thresholds ignored, defaults apply [patient: {}]: {}", profile.patientId(), e.getMessage());
            return new PatientProfile(profile.patientId(), profile.conditions(), Map.of(), profile.expected(),
                    profile.monitoredSince());
        }
    }

    private void startLoading(long patientId) {
        pacedLoads.add(patientId);
    }

    private void onBatch(ReadingBatch batch) {
        metrics.evaluated(batch.readings().size());
        Instant receivedAt = clock.instant();
        Map<Long, List<Reading>> byPatient = new LinkedHashMap<>();
        for (Reading r : batch.readings()) {
            byPatient.computeIfAbsent(r.patientId(), k -> new ArrayList<>()).add(r);
        }
        int waiting = 0;
        for (Long patientId : byPatient.keySet()) {
            if (!profiles.containsKey(patientId)) {
                waiting++;
            }
        }
        // One part for the patients evaluated now, one for each patient evaluated once her load lands.
        EvaluationProgress.Batch part = progress.begin(batch.stream(), batch.lastPosition(), 1 + waiting);
        List<AlertSignal> signals = new ArrayList<>();
        byPatient.forEach((patientId, readings) -> {
            PatientProfile profile = profiles.get(patientId);
            if (profile != null) {
                signals.addAll(evaluate(profile, readings, receivedAt));
                return;
            }
            List<Pending> queue = loading.get(patientId);
            if (queue != null) {
                queue.add(new Pending(readings, receivedAt, null, part));
                return;
            }
            queue = new ArrayList<>();
            queue.add(new Pending(readings, receivedAt, null, part));
            loading.put(patientId, queue);
            load(patientId, 0);
        });
        writer.write(signals);
        progress.partEvaluated(part);
    }

    private List<AlertSignal> evaluate(PatientProfile profile, List<Reading> readings, Instant receivedAt) {
        try {
            return engine.onReadings(profile, readings, receivedAt);
        } catch (IllegalArgumentException e) {
            LOG.error("Readings not evaluated [patient: {}]: {}", profile.patientId(), e.getMessage());
            return List.of();
        }
    }

    private void load(long patientId, int attempt) {
        Instant now = clock.instant();
        vertx.executeBlocking(() -> history.load(patientId, engine.historyNeeded(), now), false)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        loaded(patientId, ar.result());
                    } else if (SqlErrors.isTransient(ar.cause())) {
                        long delay = SignalWriter.backoff(attempt);
                        LOG.warn("Cannot load patient {} for alerting, retrying in {} ms: {}", patientId, delay,
                                ar.cause().toString());
                        vertx.setTimer(delay, t -> load(patientId, attempt + 1));
                    } else {
                        List<Pending> dropped = loading.remove(patientId);
                        pacedLoads.done(patientId);
                        LOG.error("Cannot load patient {} for alerting; {} queued batches not evaluated", patientId,
                                dropped == null ? 0 : dropped.size(), ar.cause());
                        // Given up on, like a signal that cannot be recorded: counted and logged, not retried forever.
                        partsEnded(dropped);
                        resume.patientLoaded(patientId, false);
                    }
                });
    }

    private void loaded(long patientId, Optional<PatientHistoryStore.Snapshot> snapshot) {
        List<Pending> queue = loading.remove(patientId);
        pacedLoads.done(patientId);
        if (snapshot.isEmpty()) {
            LOG.warn("Readings of an unknown patient not evaluated [patient: {}]", patientId);
            partsEnded(queue);
            resume.patientLoaded(patientId, true);
            return;
        }
        PatientHistoryStore.Snapshot s = snapshot.get();
        PatientProfile profile = usable(s.profile());
        // The queued readings are stored already, so they are in the history: they are new data, not the past.
        List<Reading> fresh = new ArrayList<>();
        for (Pending p : queue) {
            if (p.readings() != null) {
                fresh.addAll(p.readings());
            }
        }
        List<Reading> past = s.historyExcept(fresh);
        List<AlertSignal> signals = new ArrayList<>();
        try {
            // Connection state first: a device that is online is not "silent" when missing data is checked.
            for (PatientHistoryStore.DeviceState d : s.devices()) {
                engine.onConnectionState(patientId, d.deviceId(), d.connected(), d.changedAt());
            }
            signals.addAll(engine.rebuild(profile, past, s.known(), clock.instant()));
        } catch (IllegalArgumentException e) {
            LOG.error("Patient not rebuilt, queued readings not evaluated [patient: {}]: {}", patientId, e.getMessage());
            partsEnded(queue);
            resume.patientLoaded(patientId, true);
            return;
        }
        profiles.put(patientId, profile);
        metrics.patientRebuilt();
        LOG.debug("Patient rebuilt [patient: {}, readings: {}, alerts: {}, signals: {}]", patientId, past.size(),
                s.known().size(), signals.size());
        for (Pending p : queue) {
            if (p.readings() != null) {
                signals.addAll(evaluate(profile, p.readings(), p.receivedAt()));
            } else {
                engine.onAlertResolved(patientId, p.resolvedRule());
            }
        }
        writer.write(signals);
        partsEnded(queue);
        resume.patientLoaded(patientId, true);
        if (staleWhileLoading.remove(patientId)) {
            reloadProfile(patientId);
        }
    }

    /** The queued batch parts of a patient are evaluated (or given up on), their signals queued. */
    private void partsEnded(List<Pending> queue) {
        if (queue == null) {
            return;
        }
        for (Pending p : queue) {
            if (p.part() != null) {
                progress.partEvaluated(p.part());
            }
        }
    }

    private void onResolved(JsonObject body) {
        Long patientId = body.getLong("patientId");
        String rule = body.getString("rule");
        if (patientId == null || rule == null) {
            LOG.warn("Malformed resolution event ignored: {}", body.encode());
            return;
        }
        List<Pending> queue = loading.get(patientId);
        if (queue != null) {
            queue.add(new Pending(null, null, rule, null));
        } else if (profiles.containsKey(patientId)) {
            engine.onAlertResolved(patientId, rule);
        }
        // A patient this engine has not seen yet reads the resolution from the alert store when it is rebuilt.
    }

    private void tick() {
        writer.write(engine.onTick(clock.instant()));
    }

    @Override
    public Future<?> stop() {
        if (ticker >= 0) {
            vertx.cancelTimer(ticker);
        }
        List<Future<?>> closing = new ArrayList<>();
        if (readings != null) {
            closing.add(readings.unregister());
        }
        for (MessageConsumer<?> consumer : java.util.Arrays.asList(resolutions, registry, connections)) {
            if (consumer != null) {
                closing.add(consumer.unregister());
            }
        }
        return Future.all(closing).compose(v -> writer.drained(System.nanoTime() + STOP_WAIT.toNanos()))
                .compose(v -> resume.stop());
    }
}
