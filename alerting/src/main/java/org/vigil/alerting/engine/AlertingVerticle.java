package org.vigil.alerting.engine;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
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
import org.vigil.alerting.store.AlertStore;
import org.vigil.alerting.store.PatientHistoryStore;
import org.vigil.common.bus.Addresses;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.db.SqlErrors;
import org.vigil.common.model.Reading;
import org.vigil.common.model.Severity;

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
 * <p><b>Writes.</b> Signals are applied by {@link AlertStore#apply} in the order the engine produced them, one
 * transaction at a time (everything queued while the previous one ran goes into the next). While the database
 * is unavailable the head is retried with backoff: the readings are stored, so the alert they warrant must not
 * be lost. Opened, escalated and resolved alerts are published on {@link Addresses#ALERT_CHANGED}.
 */
public final class AlertingVerticle extends VerticleBase {

    /**
     * A doctor resolved an alert ({@code {"patientId", "rule"}}), published by the alerts API on whichever node
     * served it, so that the engine owning the patient stays quiet while the condition persists.
     */
    public static final String ALERT_RESOLVED = "vigil.alerts.resolved";

    private static final Logger LOG = LoggerFactory.getLogger(AlertingVerticle.class);
    private static final long MAX_RETRY_DELAY_MS = 5_000;
    private static final int MAX_WRITE_BATCH = 1_000;
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    /** Work for a patient whose state is being loaded: readings to evaluate, or a doctor's resolution. */
    private record Pending(List<Reading> readings, Instant receivedAt, String resolvedRule) {
    }

    private record ReadingKey(long deviceId, int metric, long measuredAt) {
        static ReadingKey of(Reading r) {
            return new ReadingKey(r.deviceId(), r.metric().ordinal(), r.measuredAt());
        }
    }

    private final ClinicalEngine engine;
    private final AlertStore store;
    private final PatientHistoryStore history;
    private final AlertingMetrics metrics;
    private final Clock clock;
    private final Duration tickInterval;
    private final Map<Long, PatientProfile> profiles = new HashMap<>();
    private final Map<Long, List<Pending>> loading = new HashMap<>();
    private final ArrayDeque<AlertSignal> unwritten = new ArrayDeque<>();
    private boolean writing;
    private MessageConsumer<ReadingBatch> readings;
    private MessageConsumer<JsonObject> resolutions;
    private MessageConsumer<JsonObject> registry;
    private MessageConsumer<JsonObject> connections;
    private static final int MAX_TRACK_LOADS = 4;
    /** Patients to load without a reading (their care plan expects measurements), and the loads under way. */
    private final ArrayDeque<Long> waitingToTrack = new ArrayDeque<>();
    private final Set<Long> trackLoading = new HashSet<>();
    /** The newest profile reload asked for, per patient. */
    private final Map<Long, Long> reloads = new HashMap<>();
    private long reloadGeneration;
    /** Patients whose profile changed while their first load was under way: reloaded once it lands. */
    private final Set<Long> staleWhileLoading = new HashSet<>();
    private long ticker = -1;

    public AlertingVerticle(ClinicalEngine engine, AlertStore store, PatientHistoryStore history,
                            AlertingMetrics metrics, Clock clock, Duration tickInterval) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.store = Objects.requireNonNull(store, "store");
        this.history = Objects.requireNonNull(history, "history");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tickInterval = Objects.requireNonNull(tickInterval, "tickInterval");
    }

    @Override
    public Future<?> start() {
        readings = vertx.eventBus().consumer(Addresses.READINGS_STORED, msg -> onBatch(msg.body().readings()));
        resolutions = vertx.eventBus().consumer(ALERT_RESOLVED, msg -> onResolved(msg.body()));
        registry = vertx.eventBus().consumer(Addresses.REGISTRY_CHANGED, msg -> onRegistryChange(msg.body()));
        connections = vertx.eventBus().consumer(Addresses.DEVICE_CONNECTION, msg -> onConnection(msg.body()));
        ticker = vertx.setPeriodic(tickInterval.toMillis(), id -> tick());
        return Future.all(readings.completion(), resolutions.completion(), registry.completion(),
                connections.completion()).compose(v -> trackExpectingPatients());
    }

    /**
     * Missing data has to be noticed for patients who send nothing at all, so those whose care plan expects
     * measurements are loaded at start-up, not on their first reading.
     */
    private Future<Void> trackExpectingPatients() {
        return vertx.executeBlocking(history::patientsExpectingMeasurements, false).map(ids -> {
            waitingToTrack.addAll(ids);
            pumpTracking();
            LOG.info("Watching {} patients whose care plans expect measurements", ids.size());
            return null;
        });
    }

    /**
     * Loads waiting patients a few at a time: tens of thousands of history loads queued at once would hold the
     * shared worker pool, and every API request behind them, for minutes.
     */
    private void pumpTracking() {
        while (trackLoading.size() < MAX_TRACK_LOADS && !waitingToTrack.isEmpty()) {
            long id = waitingToTrack.poll();
            if (profiles.containsKey(id) || loading.containsKey(id)) {
                continue;
            }
            trackLoading.add(id);
            loading.put(id, new ArrayList<>());
            load(id, 0);
        }
    }

    private void trackDone(long patientId) {
        if (trackLoading.remove(patientId)) {
            pumpTracking();
        }
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
        vertx.executeBlocking(() -> store.reroute(patientId, clock.instant()), false).onComplete(ar -> {
            if (ar.succeeded()) {
                announce(ar.result());
            } else if (SqlErrors.isTransient(ar.cause())) {
                vertx.setTimer(backoff(attempt), t -> reroute(patientId, attempt + 1));
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
            write(engine.track(profile));
        });
    }

    /** Connects and disconnects reported by ingest tell a silent device from a patient who did not measure. */
    private void onConnection(JsonObject event) {
        Long patientId = event.getLong("patientId");
        Long deviceId = event.getLong("deviceId");
        String at = event.getString("at");
        if (patientId == null || deviceId == null || at == null || !profiles.containsKey(patientId)) {
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
        waitingToTrack.add(patientId);
        pumpTracking();
    }

    private void onBatch(List<Reading> batch) {
        metrics.evaluated(batch.size());
        Instant receivedAt = clock.instant();
        Map<Long, List<Reading>> byPatient = new LinkedHashMap<>();
        for (Reading r : batch) {
            byPatient.computeIfAbsent(r.patientId(), k -> new ArrayList<>()).add(r);
        }
        List<AlertSignal> signals = new ArrayList<>();
        byPatient.forEach((patientId, readings) -> {
            PatientProfile profile = profiles.get(patientId);
            if (profile != null) {
                signals.addAll(evaluate(profile, readings, receivedAt));
                return;
            }
            List<Pending> queue = loading.get(patientId);
            if (queue != null) {
                queue.add(new Pending(readings, receivedAt, null));
                return;
            }
            queue = new ArrayList<>();
            queue.add(new Pending(readings, receivedAt, null));
            loading.put(patientId, queue);
            load(patientId, 0);
        });
        write(signals);
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
                        long delay = backoff(attempt);
                        LOG.warn("Cannot load patient {} for alerting, retrying in {} ms: {}", patientId, delay,
                                ar.cause().toString());
                        vertx.setTimer(delay, t -> load(patientId, attempt + 1));
                    } else {
                        List<Pending> dropped = loading.remove(patientId);
                        trackDone(patientId);
                        LOG.error("Cannot load patient {} for alerting; {} queued batches not evaluated", patientId,
                                dropped == null ? 0 : dropped.size(), ar.cause());
                    }
                });
    }

    private void loaded(long patientId, Optional<PatientHistoryStore.Snapshot> snapshot) {
        List<Pending> queue = loading.remove(patientId);
        trackDone(patientId);
        if (snapshot.isEmpty()) {
            LOG.warn("Readings of an unknown patient not evaluated [patient: {}]", patientId);
            return;
        }
        PatientHistoryStore.Snapshot s = snapshot.get();
        PatientProfile profile = usable(s.profile());
        Set<ReadingKey> queued = new HashSet<>();
        for (Pending p : queue) {
            if (p.readings() != null) {
                p.readings().forEach(r -> queued.add(ReadingKey.of(r)));
            }
        }
        List<Reading> past = new ArrayList<>(s.history().size());
        for (Reading r : s.history()) {
            if (!queued.contains(ReadingKey.of(r))) {
                past.add(r);
            }
        }
        List<AlertSignal> signals = new ArrayList<>();
        try {
            // Connection state first: a device that is online is not "silent" when missing data is checked.
            for (PatientHistoryStore.DeviceState d : s.devices()) {
                engine.onConnectionState(patientId, d.deviceId(), d.connected(), d.changedAt());
            }
            signals.addAll(engine.rebuild(profile, past, s.known(), clock.instant()));
        } catch (IllegalArgumentException e) {
            LOG.error("Patient not rebuilt, queued readings not evaluated [patient: {}]: {}", patientId, e.getMessage());
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
        write(signals);
        if (staleWhileLoading.remove(patientId)) {
            reloadProfile(patientId);
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
            queue.add(new Pending(null, null, rule));
        } else if (profiles.containsKey(patientId)) {
            engine.onAlertResolved(patientId, rule);
        }
        // A patient this engine has not seen yet reads the resolution from the alert store when it is rebuilt.
    }

    private void tick() {
        write(engine.onTick(clock.instant()));
    }

    private void write(List<AlertSignal> signals) {
        if (signals.isEmpty()) {
            return;
        }
        for (AlertSignal s : signals) {
            if (s.kind() == AlertSignal.Kind.FLAP_SUPPRESSED) {
                metrics.flapSuppressed();
            }
        }
        unwritten.addAll(signals);
        if (!writing) {
            writeNext();
        }
    }

    private void writeNext() {
        if (unwritten.isEmpty()) {
            writing = false;
            return;
        }
        writing = true;
        List<AlertSignal> batch = new ArrayList<>(Math.min(unwritten.size(), MAX_WRITE_BATCH));
        while (!unwritten.isEmpty() && batch.size() < MAX_WRITE_BATCH) {
            batch.add(unwritten.poll());
        }
        apply(batch, 0);
    }

    private void apply(List<AlertSignal> batch, int attempt) {
        vertx.executeBlocking(() -> store.apply(batch, clock.instant()), false)
                .onSuccess(changes -> {
                    announce(changes);
                    writeNext();
                })
                .onFailure(e -> {
                    metrics.recordFailed();
                    if (SqlErrors.isTransient(e)) {
                        long delay = backoff(attempt);
                        LOG.warn("Cannot record {} alert signals, retrying in {} ms: {}", batch.size(), delay, e.toString());
                        vertx.setTimer(delay, t -> apply(batch, attempt + 1));
                    } else if (batch.size() > 1) {
                        // One bad signal must not take the others with it: retry them one by one, in order.
                        for (int i = batch.size() - 1; i >= 0; i--) {
                            unwritten.addFirst(batch.get(i));
                        }
                        applySingly(batch.size());
                    } else {
                        AlertSignal s = batch.get(0);
                        LOG.error("Alert signal cannot be recorded and is dropped [patient: {}, rule: {}, kind: {}]",
                                s.patientId(), s.ruleId(), s.kind(), e);
                        writeNext();
                    }
                });
    }

    private void applySingly(int remaining) {
        if (remaining == 0 || unwritten.isEmpty()) {
            writeNext();
            return;
        }
        AlertSignal s = unwritten.poll();
        vertx.executeBlocking(() -> store.apply(List.of(s), clock.instant()), false)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        announce(ar.result());
                        applySingly(remaining - 1);
                    } else if (SqlErrors.isTransient(ar.cause())) {
                        unwritten.addFirst(s);
                        metrics.recordFailed();
                        vertx.setTimer(backoff(0), t -> applySingly(remaining));
                    } else {
                        metrics.recordFailed();
                        LOG.error("Alert signal cannot be recorded and is dropped [patient: {}, rule: {}, kind: {}]",
                                s.patientId(), s.ruleId(), s.kind(), ar.cause());
                        applySingly(remaining - 1);
                    }
                });
    }

    private static long backoff(int attempt) {
        return Math.min(MAX_RETRY_DELAY_MS, 100L << Math.min(attempt, 10));
    }

    private void announce(List<AlertStore.Change> changes) {
        for (AlertStore.Change change : changes) {
            JsonObject alert = change.alert();
            switch (change.kind()) {
                case OPENED -> metrics.opened(alert.getString("rule"), Severity.fromWire(alert.getString("severity")));
                case ESCALATED -> metrics.escalated();
                case RESOLVED -> metrics.resolved(true);
                case REROUTED -> metrics.rerouted();
                default -> {
                    continue;
                }
            }
            LOG.info("Alert {} [alert: {}, patient: {}, doctor: {}, rule: {}, severity: {}, late: {}]",
                    change.kind().wireName(), alert.getLong("id"), alert.getLong("patientId"),
                    alert.getLong("doctorId"), alert.getString("rule"), alert.getString("severity"),
                    alert.getBoolean("late"));
            vertx.eventBus().publish(Addresses.ALERT_CHANGED, new JsonObject()
                    .put("change", change.kind().wireName())
                    .put("alert", alert));
        }
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
        return Future.all(closing).compose(v -> drained(System.nanoTime() + STOP_WAIT.toNanos()));
    }

    /** Lets the signals already produced reach the store before the database closes, for a bounded time. */
    private Future<Void> drained(long deadline) {
        if ((!writing && unwritten.isEmpty()) || System.nanoTime() > deadline) {
            if (writing || !unwritten.isEmpty()) {
                LOG.warn("Stopping with {} alert signals unwritten", unwritten.size());
            }
            return Future.succeededFuture();
        }
        return vertx.timer(20).compose(v -> drained(deadline));
    }
}
