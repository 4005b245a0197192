package org.vigil.alerting.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.alerting.clinical.ClinicalEngine;
import org.vigil.alerting.clinical.PatientProfile;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.PatientSnapshot;
import org.vigil.alerting.testing.BuiltInRules;
import org.vigil.common.bus.Addresses;
import org.vigil.common.bus.PolledRecords;
import org.vigil.common.bus.PolledRecordsCodec;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.cluster.PatientPartitions;
import org.vigil.common.model.Condition;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;
import org.vigil.common.testing.HandClock;

/**
 * A poll's records as alerting takes them in cluster mode: on the event bus, with a real engine and the patients'
 * histories answered by hand.
 */
@Timeout(20)
class PartitionedInputTest {

    private static final long LOADING = 7;
    private static final long LOADED = 8;
    private static final long STREAM = 1;
    private static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");

    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();
    /** Open history reads, per patient; touched on the context only. */
    private final Map<Long, BiConsumer<Optional<PatientSnapshot>, Throwable>> reads = new HashMap<>();
    private final List<String> written = new CopyOnWriteArrayList<>();
    private final EvaluationProgress progress = new EvaluationProgress();
    private PatientLoader loader;

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /**
     * Verifies that a patient whose history is still being read holds up only her own records: another patient's
     * record behind hers in the poll, of the same partition, is evaluated at once, and the poll is answered once both
     * are recorded.
     */
    @Test
    void aPatientStillLoadingHoldsUpOnlyHerOwnRecords() throws Exception {
        start(which -> Future.succeededFuture());
        JsonObject rebuilt = vertx.eventBus().<JsonObject>request(Addresses.EVALUATION_PARTITIONS, new JsonObject()
                        .put("partitions", 1).put("assigned", new JsonArray().add(0)).put("revoked", new JsonArray()))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).body();
        assertThat(rebuilt.getInteger("rebuilt")).isZero();
        onContext(() -> {
            loader.load(List.of(LOADED));
            land(LOADED);
            return Future.succeededFuture();
        });

        // One poll of the only partition: the patient not yet loaded first, the loaded one behind her.
        CompletableFuture<Object> answered = vertx.eventBus().request(Addresses.EVALUATE_READINGS, new PolledRecords(
                List.of(crisis(LOADING, 10), crisis(LOADED, 11)))).toCompletionStage().toCompletableFuture()
                .thenApply(m -> "answered");

        waitUntil(() -> written.contains(LOADED + " blood_pressure_high OPEN"));
        assertThat(written).as("the loading patient waits for her history").hasSize(1);
        // Nothing to wait for: the answer must not come, so the check gives it a moment to.
        Thread.sleep(200);
        assertThat(answered).as("answered only once every record is recorded").isNotDone();

        onContext(() -> {
            land(LOADING);
            return Future.succeededFuture();
        });
        assertThat(answered.get(10, TimeUnit.SECONDS)).isEqualTo("answered");
        assertThat(written).containsExactly(LOADED + " blood_pressure_high OPEN",
                LOADING + " blood_pressure_high OPEN");
    }

    /**
     * Verifies that the patients of partitions taken away are handed to the saver, and dropped, before the
     * revocation is answered, and that the answer waits for their state to be written: their next owner starts from it.
     */
    @Test
    void thePatientsOfARevokedPartitionAreSavedBeforeTheAnswer() throws Exception {
        long leaving = LOADING;
        long staying = java.util.stream.LongStream.rangeClosed(leaving + 1, leaving + 100)
                .filter(id -> PatientPartitions.of(id, 2) != PatientPartitions.of(leaving, 2)).findFirst().orElseThrow();
        List<LongPredicate> saved = new CopyOnWriteArrayList<>();
        Promise<Void> written = Promise.promise();
        // As the saver: a write to wait for when a patient it matches is held, else nothing to do.
        start(which -> {
            if (!loader.holds(leaving) || !which.test(leaving)) {
                return Future.succeededFuture();
            }
            saved.add(which);
            return written.future();
        });
        vertx.eventBus().request(Addresses.EVALUATION_PARTITIONS, new JsonObject().put("partitions", 2)
                        .put("assigned", new JsonArray().add(0).add(1)).put("revoked", new JsonArray()))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        onContext(() -> {
            loader.load(List.of(leaving, staying));
            land(leaving);
            land(staying);
            return Future.succeededFuture();
        });

        CompletableFuture<Object> answered = vertx.eventBus().request(Addresses.EVALUATION_PARTITIONS, new JsonObject()
                        .put("partitions", 2).put("assigned", new JsonArray())
                        .put("revoked", new JsonArray().add(PatientPartitions.of(leaving, 2))))
                .toCompletionStage().toCompletableFuture().thenApply(m -> "answered");

        waitUntil(() -> saved.size() == 1);
        assertThat(saved.get(0).test(leaving)).isTrue();
        assertThat(saved.get(0).test(staying)).isFalse();
        CompletableFuture<Boolean> held = new CompletableFuture<>();
        context.runOnContext(v -> held.complete(loader.holds(leaving) || !loader.holds(staying)));
        assertThat(held.get(10, TimeUnit.SECONDS)).as("the leaving patient dropped, the other kept").isFalse();
        Thread.sleep(200);
        assertThat(answered).as("answered once their state is written").isNotDone();

        context.runOnContext(v -> written.complete());
        assertThat(answered.get(10, TimeUnit.SECONDS)).isEqualTo("answered");
    }

    /** Starts the input on a loader with a real engine, whose histories the test answers, and this saver. */
    private void start(Function<LongPredicate, Future<Void>> saveLeaving) throws Exception {
        vertx.eventBus().registerDefaultCodec(PolledRecords.class, new PolledRecordsCodec());
        onContext(() -> {
            loader = new PatientLoader(
                    new ClinicalEngine(BuiltInRules.RULES),
                    new PatientReads() {
                        @Override
                        public void history(long id, boolean useSaved,
                                            BiConsumer<Optional<PatientSnapshot>, Throwable> done) {
                            reads.put(id, done);
                        }

                        @Override
                        public void profile(long id, BiConsumer<Optional<PatientProfile>, Throwable> done) {
                        }
                    }, new PatientLoader.Results() {
                        @Override
                        public void signals(List<AlertSignal> signals) {
                            signals.forEach(s -> written.add(s.patientId() + " " + s.ruleId() + " " + s.kind()));
                        }

                        @Override
                        public void loadEnded(long patientId, boolean ok) {
                        }
                    }, progress, new AlertingMetrics(new SimpleMeterRegistry()), new HandClock(T0.plusSeconds(7 * 3600)));
            return new PartitionedInput(vertx, loader, progress, new AlertingMetrics(new SimpleMeterRegistry()),
                    List::of, saveLeaving).start();
        });
    }

    /** Answers the patient's open history read: hypertensive, nothing stored before. */
    private void land(long patientId) {
        reads.remove(patientId).accept(Optional.of(new PatientSnapshot(
                PatientProfile.of(patientId, T0, Condition.HYPERTENSION), List.of(), List.of(), List.of(), Map.of())),
                null);
    }

    /** A record of one patient's crisis blood pressure, at 07:00, its last reading at {@code position}. */
    private static ReadingBatch crisis(long patientId, long position) {
        long at = T0.plusSeconds(7 * 3600).toEpochMilli();
        return new ReadingBatch(STREAM, position, List.of(new Reading(patientId, patientId, Metric.SYSTOLIC_BP, at, 196),
                new Reading(patientId, patientId, Metric.DIASTOLIC_BP, at, 118)));
    }

    private <T> void onContext(java.util.function.Supplier<Future<T>> work) throws Exception {
        CompletableFuture<T> done = new CompletableFuture<>();
        context.runOnContext(v -> work.get().onComplete(ar -> {
            if (ar.succeeded()) {
                done.complete(ar.result());
            } else {
                done.completeExceptionally(ar.cause());
            }
        }));
        done.get(10, TimeUnit.SECONDS);
    }

    private static void waitUntil(java.util.function.BooleanSupplier check) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!check.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s");
            }
            Thread.sleep(20);
        }
    }
}
