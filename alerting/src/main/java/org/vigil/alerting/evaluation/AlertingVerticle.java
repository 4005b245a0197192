package org.vigil.alerting.evaluation;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.alerting.clinical.ClinicalEngine;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.AlertSignalStore;
import org.vigil.alerting.store.EngineStateStore;
import org.vigil.alerting.store.EscalationStore;
import org.vigil.alerting.store.EvaluationLog;
import org.vigil.alerting.store.PatientHistoryStore;
import org.vigil.common.bus.Addresses;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.db.SqlErrors;

/**
 * Runs the {@link ClinicalEngine} on stored readings and turns its signals into alerts: wires the event bus and a
 * periodic tick to the engine and its helpers, which each do one job.
 *
 * <ul>
 *   <li>{@link PatientLoader}: which patients the engine holds; loads a patient on first sight and keeps her work
 *       in arrival order while she loads; follows profile changes.</li>
 *   <li>{@link SignalWriter}: records signals in the order the engine produced them and announces the changes on
 *       {@link Addresses#ALERT_CHANGED}.</li>
 *   <li>{@link EvaluationResume}: nothing committed goes unevaluated. The hand-off from ingest's commit is an
 *       event-bus message, which a crash can lose; each batch names its ingest log stream and last position,
 *       {@link EvaluationProgress} follows when its evaluation and signals are recorded, and the resume stores the
 *       cursors and has the patients of dead streams' tails loaded again ({@link LocalTails}; a rebuild or resume
 *       reconciles with the alert store, so a missed alert opens exactly once and a recorded one is not announced
 *       again).</li>
 *   <li>{@link StateSaver}: the patients' engine state, saved every few minutes and at a stop, so that a patient
 *       loaded again (after a restart, or by the next owner of her partition) resumes from it instead of replaying
 *       weeks of readings.</li>
 * </ul>
 *
 * <p><b>Cluster mode</b> ({@code partitioned}): stored batches are not evaluated here but handed to the readings
 * topic ({@link Handoff}; dead streams' tails by {@link TailHandoff}), and this node evaluates the records of the
 * partitions it owns ({@link PartitionedInput}), so each patient is evaluated by one node at a time. The cursors and
 * the resume then speak of what was handed over; Kafka's committed offsets of what was evaluated.
 *
 * <p><b>Threading.</b> The engine is not thread-safe: this verticle owns the only instance and it, the loader, the
 * writer and the resume are called only on this verticle's event loop (bus consumers, the periodic tick,
 * completions of worker tasks). JDBC runs on workers. Work for one patient is therefore handled in the order it
 * arrives on the bus: the readings of a batch, a resolution, a connection event.
 */
public final class AlertingVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(AlertingVerticle.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final ClinicalEngine engine;
    private final AlertSignalStore signals;
    private final EscalationStore escalation;
    private final PatientHistoryStore history;
    private final EvaluationLog log;
    private final AlertingMetrics metrics;
    private final Clock clock;
    private final Duration tickInterval;
    private final Duration resumeSweep;
    private final boolean partitioned;
    private final SavedState saved;
    private StateSaver saver;
    private final EvaluationProgress progress = new EvaluationProgress();
    private volatile Handoff handoff;
    private PartitionedInput input;
    private SignalWriter writer;
    private EvaluationResume resume;
    private PatientLoader patients;
    private MessageConsumer<ReadingBatch> readings;
    private MessageConsumer<JsonObject> resolutions;
    private MessageConsumer<JsonObject> registry;
    private MessageConsumer<JsonObject> connections;
    private long ticker = -1;

    /**
     * Where the patients' engine state is saved, every {@code saveInterval}: for the next owner of their partition in
     * cluster mode, for this node's next start without Kafka ({@link StateSaver}).
     */
    public record SavedState(EngineStateStore states, Duration saveInterval) {

        public SavedState {
            Objects.requireNonNull(states, "states");
            Objects.requireNonNull(saveInterval, "saveInterval");
        }
    }

    /** @param partitioned cluster mode: evaluation of the owned partitions of the readings topic */
    public AlertingVerticle(ClinicalEngine engine, AlertSignalStore signals, EscalationStore escalation,
                            PatientHistoryStore history, EvaluationLog log, AlertingMetrics metrics, Clock clock,
                            Duration tickInterval, Duration resumeSweep, boolean partitioned, SavedState saved) {
        this.partitioned = partitioned;
        this.saved = Objects.requireNonNull(saved, "saved");
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
        writer = new SignalWriter(vertx, signals, metrics, clock, progress);
        patients = new PatientLoader(engine, new StoredPatientReads(vertx, history, engine.historyNeeded(), clock,
                        saved.states().savedStates(engine.stateFingerprint(), engine.lateHorizon())),
                new PatientLoader.Results() {
                    @Override
                    public void signals(List<AlertSignal> signals) {
                        writer.write(signals);
                    }

                    @Override
                    public void loadEnded(long patientId, boolean ok) {
                        if (partitioned) {
                            input.loadEnded(patientId);
                        } else {
                            resume.unitDone(patientId, ok);
                        }
                    }
                }, progress, metrics, clock);
        saver = new StateSaver(vertx, engine, patients, saved.states(), metrics, clock, saved.saveInterval());
        EvaluationResume.Tails tails;
        if (partitioned) {
            handoff = new Handoff(vertx, progress, metrics, log::tailReadings,
                    () -> clock.instant().minus(engine.historyNeeded()), Handoff.HELD_READINGS);
            input = new PartitionedInput(vertx, patients, progress, metrics, history::patientsExpectingMeasurements,
                    saver::saveNow);
            TailHandoff tailHandoff = new TailHandoff(handoff);
            tails = tailHandoff;
            resume = new EvaluationResume(vertx, log, progress, metrics, resumeSweep,
                    () -> clock.instant().minus(engine.historyNeeded()), tails);
            tailHandoff.reportTo(resume);
        } else {
            tails = new LocalTails(log, patients);
            resume = new EvaluationResume(vertx, log, progress, metrics, resumeSweep,
                    () -> clock.instant().minus(engine.historyNeeded()), tails);
        }
        readings = vertx.eventBus().consumer(Addresses.READINGS_STORED,
                msg -> {
                    if (partitioned) {
                        handoff.stored(msg.body());
                    } else {
                        onBatch(msg.body());
                    }
                });
        resolutions = vertx.eventBus().consumer(Addresses.ALERT_RESOLVED, msg -> onResolved(msg.body()));
        registry = vertx.eventBus().consumer(Addresses.REGISTRY_CHANGED, msg -> onRegistryChange(msg.body()));
        connections = vertx.eventBus().consumer(Addresses.DEVICE_CONNECTION, msg -> onConnection(msg.body()));
        ticker = vertx.setPeriodic(tickInterval.toMillis(), id -> tick());
        return Future.all(readings.completion(), resolutions.completion(), registry.completion(),
                connections.completion()).compose(v -> {
                    resume.start();
                    saver.start();
                    if (partitioned) {
                        // The patients to watch come with the partitions this node is given.
                        return input.start();
                    }
                    return trackExpectingPatients();
                });
    }

    /**
     * Missing data has to be noticed for patients who send nothing at all, so those whose care plan expects
     * measurements are loaded at start-up, not on their first reading.
     */
    private Future<Void> trackExpectingPatients() {
        return vertx.executeBlocking(history::patientsExpectingMeasurements, false).map(ids -> {
            patients.load(ids);
            LOG.info("Watching {} patients whose care plans expect measurements", ids.size());
            return null;
        });
    }

    private void onBatch(ReadingBatch batch) {
        metrics.evaluated(batch.readings().size());
        patients.readings(batch);
    }

    private void onResolved(JsonObject body) {
        Long patientId = body.getLong("patientId");
        String rule = body.getString("rule");
        if (patientId == null || rule == null) {
            LOG.warn("Malformed resolution event ignored: {}", body.encode());
            return;
        }
        patients.resolved(patientId, rule);
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
        patients.profileChanged(patientId, "care_plan".equals(change.getString("change")));
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

    /** Connects and disconnects reported by ingest tell a silent device from a patient who did not measure. */
    private void onConnection(JsonObject event) {
        Long patientId = event.getLong("patientId");
        Long deviceId = event.getLong("deviceId");
        String at = event.getString("at");
        if (patientId == null || deviceId == null || at == null) {
            return;
        }
        patients.connection(patientId, deviceId, event.getBoolean("connected", false), Instant.parse(at));
    }

    private void tick() {
        writer.write(engine.onTick(clock.instant()));
    }

    /** Why this node's evaluation waits although it serves (hand-offs failing in cluster mode), or null. */
    public String degraded() {
        Handoff h = handoff;
        return h == null ? null : h.trouble();
    }

    @Override
    public Future<?> stop() {
        if (ticker >= 0) {
            vertx.cancelTimer(ticker);
        }
        saver.stop();
        List<Future<?>> closing = new ArrayList<>();
        for (MessageConsumer<?> consumer : Arrays.asList(readings, resolutions, registry, connections)) {
            if (consumer != null) {
                closing.add(consumer.unregister());
            }
        }
        if (input != null) {
            closing.add(input.stop());
        }
        return Future.all(closing).compose(v -> writer.drained(System.nanoTime() + STOP_WAIT.toNanos()))
                .compose(v -> saveBeforeStop())
                .compose(v -> resume.stop());
    }

    /**
     * Saves the state of what is still held (all of it without Kafka; partitions given up saved theirs already) for
     * the next start, for as long as a stop may wait: the others resume from older states or read their history.
     * Ends on this verticle's event loop either way, like the rest of the stop.
     */
    private Future<Void> saveBeforeStop() {
        Promise<Void> done = Promise.promise();
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        long timer = vertx.setTimer(STOP_WAIT.toMillis(), t -> {
            if (done.tryComplete()) {
                LOG.warn("Engine state not all saved within {} of the stop", STOP_WAIT);
            }
        });
        saver.saveBeforeStop(deadline).onComplete(ar -> {
            vertx.cancelTimer(timer);
            done.tryComplete();
        });
        return done.future();
    }
}
