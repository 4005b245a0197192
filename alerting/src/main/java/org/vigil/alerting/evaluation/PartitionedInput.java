package org.vigil.alerting.evaluation;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.common.bus.Addresses;
import org.vigil.common.bus.PolledRecords;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.cluster.PatientPartitions;

/**
 * Cluster mode: what this node evaluates comes from the partitions of the readings topic it owns.
 *
 * <p>The cluster role asks, on {@link Addresses#EVALUATION_PARTITIONS}, for the patients of partitions taken away to
 * be dropped and those of partitions given to be rebuilt (the ones whose care plans expect measurements: the
 * others are rebuilt on their first record), and waits for the answer before it hands over any record of theirs.
 * A poll's records come together on {@link Addresses#EVALUATE_READINGS}, each one patient's readings, and are taken in
 * their order, so a patient's are evaluated in the order they were stored; one whose patient is still being loaded
 * waits in her queue, not in front of the others. The answer goes once every record's alert changes are recorded,
 * and only then are the poll's offsets committed. A record the patient's state already holds counts as recorded
 * ({@link PatientLoader#seen}).
 *
 * <p>Confined to the alerting verticle's event loop.
 */
final class PartitionedInput {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionedInput.class);

    /** An assignment whose patients are being rebuilt, answered once they are. */
    private static final class Rebuild {
        final Set<Long> waiting;
        final int patients;
        final Message<JsonObject> request;

        Rebuild(Set<Long> waiting, Message<JsonObject> request) {
            this.waiting = waiting;
            this.patients = waiting.size();
            this.request = request;
        }
    }

    private final Vertx vertx;
    private final PatientLoader patients;
    private final EvaluationProgress progress;
    private final AlertingMetrics metrics;
    private final Callable<List<Long>> expecting;
    private final Function<LongPredicate, Future<Void>> saveLeaving;
    private final Set<Integer> owned = new HashSet<>();
    private final Set<Rebuild> rebuilds = new HashSet<>();
    private int partitions = 1;
    private MessageConsumer<PolledRecords> records;
    private MessageConsumer<JsonObject> assignments;

    /**
     * @param expecting the patients whose care plans expect measurements (blocking, run on a worker)
     * @param saveLeaving saves the state of the patients it matches, whose partitions are taken away, for their next
     *                    owner ({@link StateSaver#saveNow}): taken at once, written when the future ends
     */
    PartitionedInput(Vertx vertx, PatientLoader patients, EvaluationProgress progress, AlertingMetrics metrics,
                     Callable<List<Long>> expecting, Function<LongPredicate, Future<Void>> saveLeaving) {
        this.saveLeaving = Objects.requireNonNull(saveLeaving, "saveLeaving");
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.patients = Objects.requireNonNull(patients, "patients");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.expecting = Objects.requireNonNull(expecting, "expecting");
    }

    Future<Void> start() {
        // Until the first assignment this node owns no patient.
        patients.own(id -> owned.contains(PatientPartitions.of(id, partitions)));
        records = vertx.eventBus().consumer(Addresses.EVALUATE_READINGS, this::onRecords);
        assignments = vertx.eventBus().consumer(Addresses.EVALUATION_PARTITIONS, this::onAssignment);
        return Future.all(records.completion(), assignments.completion()).mapEmpty();
    }

    Future<Void> stop() {
        return Future.all(records == null ? Future.succeededFuture() : records.unregister(),
                assignments == null ? Future.succeededFuture() : assignments.unregister()).mapEmpty();
    }

    /** A patient's load ended: an assignment waiting for it may be complete. */
    void loadEnded(long patientId) {
        if (rebuilds.isEmpty()) {
            return;
        }
        rebuilds.removeIf(r -> {
            if (r.waiting.remove(patientId) && r.waiting.isEmpty()) {
                r.request.reply(new JsonObject().put("rebuilt", r.patients));
                return true;
            }
            return false;
        });
    }

    private void onRecords(Message<PolledRecords> msg) {
        List<EvaluationProgress.Batch> evaluating = new ArrayList<>();
        for (ReadingBatch record : msg.body().records()) {
            if (record.readings().isEmpty()) {
                continue;
            }
            if (patients.seen(record)) {
                metrics.recordSkipped();
                continue;
            }
            metrics.evaluated(record.readings().size());
            evaluating.add(patients.record(record));
        }
        int[] open = {evaluating.size()};
        if (open[0] == 0) {
            msg.reply(null);
            return;
        }
        for (EvaluationProgress.Batch batch : evaluating) {
            progress.whenRecorded(batch, () -> {
                if (--open[0] == 0) {
                    msg.reply(null);
                }
            });
        }
    }

    private void onAssignment(Message<JsonObject> msg) {
        JsonObject body = msg.body();
        Integer count = body.getInteger("partitions");
        if (count == null || count < 1) {
            msg.fail(400, "partitions: a positive count is required");
            return;
        }
        Set<Integer> revoked = ints(body.getJsonArray("revoked"));
        Set<Integer> assigned = ints(body.getJsonArray("assigned"));
        // The state of patients leaving is taken now and written before the answer: their next owner starts from it.
        Future<Void> saved;
        if (count != partitions) {
            // The topic has other partitions than this node thought: patients map anew, so hold none of the old.
            saved = saveLeaving.apply(id -> true);
            partitions = count;
            owned.clear();
            patients.forget(id -> true);
        } else {
            int n = partitions;
            saved = revoked.isEmpty() ? Future.succeededFuture()
                    : saveLeaving.apply(id -> revoked.contains(PatientPartitions.of(id, n)));
        }
        owned.removeAll(revoked);
        int dropped = revoked.isEmpty() ? 0
                : patients.forget(id -> revoked.contains(PatientPartitions.of(id, partitions)));
        owned.addAll(assigned);
        if (!revoked.isEmpty()) {
            LOG.info("Partitions {} of the readings topic taken away: {} patients dropped", revoked, dropped);
        }
        saved.onComplete(v -> rebuildAssigned(msg, assigned));
    }

    private void rebuildAssigned(Message<JsonObject> msg, Set<Integer> assigned) {
        if (assigned.isEmpty()) {
            msg.reply(new JsonObject().put("rebuilt", 0));
            return;
        }
        int n = partitions;
        vertx.executeBlocking(expecting, false).onComplete(ar -> {
            if (ar.failed()) {
                // The cluster role asks again; nothing of these partitions is handed over meanwhile.
                msg.fail(503, "patients expecting measurements not read: " + ar.cause());
                return;
            }
            Set<Long> mine = new HashSet<>();
            for (long id : ar.result()) {
                if (assigned.contains(PatientPartitions.of(id, n)) && !patients.holds(id)) {
                    mine.add(id);
                }
            }
            if (mine.isEmpty()) {
                msg.reply(new JsonObject().put("rebuilt", 0));
                return;
            }
            rebuilds.add(new Rebuild(new HashSet<>(mine), msg));
            LOG.info("Partitions {} of the readings topic given to this node: rebuilding {} patients", assigned,
                    mine.size());
            patients.load(mine);
        });
    }

    private static Set<Integer> ints(JsonArray array) {
        Set<Integer> set = new HashSet<>();
        if (array != null) {
            for (int i = 0; i < array.size(); i++) {
                set.add(array.getInteger(i));
            }
        }
        return set;
    }
}
