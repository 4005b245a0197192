package org.vigil.cluster.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.cluster.config.ClusterConfig;
import org.vigil.cluster.kafka.KafkaClients;
import org.vigil.cluster.kafka.TopicSetup;
import org.vigil.cluster.metrics.ClusterMetrics;
import org.vigil.cluster.testing.TestKafka;
import org.vigil.common.bus.Addresses;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.bus.PolledRecords;
import org.vigil.common.bus.PolledRecordsCodec;
import org.vigil.common.bus.ReadingBatchCodec;
import org.vigil.common.cluster.PatientPartitions;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;

/**
 * The cluster side of partitioned evaluation against the real broker: {@link ReadingHandoff} and
 * {@link ReadingEvaluator} deployed in Vert.x instances, with a responder standing in for alerting on
 * {@link Addresses#EVALUATE_READINGS} and {@link Addresses#EVALUATION_PARTITIONS} that records what it got.
 */
@Timeout(180)
class PartitionedEvaluationIT {

    private static final int PARTITIONS = 4;

    private final List<Node> nodes = new ArrayList<>();
    private Admin admin;

    @AfterEach
    void close() {
        for (Node node : nodes) {
            node.close();
        }
        if (admin != null) {
            admin.close();
        }
    }

    /** Stands in for alerting: rebuilds (when let), evaluates (unless told to fail), and records both. */
    private static final class Responder {
        final String name;
        /** Per patient, the readings' times in the order they were evaluated, shared between nodes. */
        final Map<Long, List<Long>> evaluated;
        final List<String> violations;
        final List<JsonObject> changes = new CopyOnWriteArrayList<>();
        final Set<Integer> owned = ConcurrentHashMap.newKeySet();
        final AtomicInteger records = new AtomicInteger();
        final AtomicInteger polls = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        volatile CompletableFuture<Void> rebuild = CompletableFuture.completedFuture(null);
        volatile Predicate<ReadingBatch> fail = b -> false;
        volatile int partitions;
        volatile Responder other;

        Responder(String name, Map<Long, List<Long>> evaluated, List<String> violations) {
            this.name = name;
            this.evaluated = evaluated;
            this.violations = violations;
        }

        void register(Vertx vertx) throws Exception {
            await(Future.all(vertx.eventBus().<JsonObject>consumer(Addresses.EVALUATION_PARTITIONS, this::change)
                    .completion(), vertx.eventBus().consumer(Addresses.EVALUATE_READINGS, this::evaluate)
                    .completion()));
        }

        private void change(Message<JsonObject> m) {
            JsonObject change = m.body();
            changes.add(change);
            partitions = change.getInteger("partitions");
            change.getJsonArray("revoked").forEach(p -> owned.remove((Integer) p));
            rebuild.thenRun(() -> {
                for (Object p : change.getJsonArray("assigned")) {
                    Responder o = other;
                    if (o != null && o.owned.contains((Integer) p)) {
                        violations.add(name + " given partition " + p + " still owned by " + o.name);
                    }
                    owned.add((Integer) p);
                }
                m.reply(new JsonObject().put("rebuilt", change.getJsonArray("assigned").size()));
            });
        }

        /** A poll's records in their order, stopping at the first that fails: as alerting would. */
        private void evaluate(Message<PolledRecords> m) {
            for (ReadingBatch batch : m.body().records()) {
                long patient = batch.readings().get(0).patientId();
                int partition = PatientPartitions.of(patient, partitions);
                if (!owned.contains(partition)) {
                    violations.add(name + " got patient " + patient + " of partition " + partition + " owning "
                            + owned);
                }
                if (fail.test(batch)) {
                    failed.incrementAndGet();
                    m.fail(500, "evaluation failed");
                    return;
                }
                synchronized (evaluated) {
                    List<Long> times = evaluated.computeIfAbsent(patient, k -> new ArrayList<>());
                    batch.readings().forEach(r -> times.add(r.measuredAt()));
                }
                records.incrementAndGet();
            }
            polls.incrementAndGet();
            m.reply(null);
        }
    }

    /** A node: its own Vert.x with the hand-off and the evaluator, and a responder in alerting's place. */
    private final class Node {
        final Vertx vertx = Vertx.vertx();
        final SimpleMeterRegistry meters = new SimpleMeterRegistry();
        final ClusterConfig config;
        final Responder responder;
        ReadingEvaluator evaluator;

        Node(ClusterConfig config, Responder responder) {
            this.config = config;
            this.responder = responder;
            vertx.eventBus().registerDefaultCodec(ReadingBatch.class, new ReadingBatchCodec());
            vertx.eventBus().registerDefaultCodec(PolledRecords.class, new PolledRecordsCodec());
            nodes.add(this);
        }

        Node start() throws Exception {
            ClusterMetrics metrics = ClusterMetrics.micrometer(meters, ReadingEvaluator.CONSUMER);
            await(vertx.deployVerticle(new ReadingHandoff(config, metrics), ReadingHandoff.options()));
            evaluator = new ReadingEvaluator(config, metrics);
            await(vertx.deployVerticle(evaluator, ReadingEvaluator.options()));
            return this;
        }

        void handOff(ReadingBatch batch) throws Exception {
            await(vertx.eventBus().request(Addresses.READINGS_HANDOFF, batch));
        }

        void close() {
            try {
                await(vertx.close());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private ClusterConfig config(Duration sessionTimeout) throws Exception {
        ClusterConfig config = new ClusterConfig(List.of(TestKafka.bootstrapServers().split(",")),
                TestKafka.newTopicPrefix(), 1, PARTITIONS, (short) 1, true, "evaluation", sessionTimeout);
        new TopicSetup(config, Duration.ofSeconds(30)).ensure(
                List.of(new TopicSetup.Wanted(config.readingsTopic(), config.readingPartitions())));
        admin = Admin.create(KafkaClients.admin(config));
        return config;
    }

    @Test
    void handedOffReadingsReachTheirOwnerAfterItsRebuildInOrderOnce() throws Exception {
        ClusterConfig config = config(Duration.ofSeconds(2));
        Responder responder = new Responder("a", new HashMap<>(), new CopyOnWriteArrayList<>());
        responder.rebuild = new CompletableFuture<>();
        Node node = new Node(config, responder).start();
        assertThat(node.evaluator.notReady()).isNotNull();
        // Alerting starts after the cluster role: the evaluator keeps asking until it listens.
        Thread.sleep(1000);
        responder.register(node.vertx);
        waitUntil(() -> !responder.changes.isEmpty());
        assertThat(responder.changes.get(0)).isEqualTo(new JsonObject().put("partitions", PARTITIONS)
                .put("assigned", new JsonArray(List.of(0, 1, 2, 3))).put("revoked", new JsonArray()));

        // Handed off while alerting rebuilds: each reply only once the brokers have the records.
        int patients = 10;
        int batches = 20;
        for (int b = 0; b < batches; b++) {
            node.handOff(batch(b, LongStream.rangeClosed(1, patients).toArray()));
            assertThat(endOffsets(config)).as("records in the log when the hand-off replied")
                    .isEqualTo((long) patients * (b + 1));
        }
        Thread.sleep(1000);
        assertThat(responder.records.get()).as("nothing evaluated before the rebuild answered").isZero();
        assertThat(node.evaluator.notReady()).contains("rebuilding 4 assigned partitions");

        responder.rebuild.complete(null);
        waitUntil(() -> node.evaluator.notReady() == null);
        waitUntil(() -> responder.records.get() == patients * batches);
        waitUntil(() -> committed(config) == (long) patients * batches);
        Thread.sleep(1000);

        assertThat(responder.violations).isEmpty();
        assertThat(responder.records.get()).as("each record evaluated once").isEqualTo(patients * batches);
        assertThat(responder.polls.get()).as("records handed over a poll at a time, not one by one")
                .isLessThan(patients * batches / 10);
        assertThat(responder.evaluated).hasSize(patients);
        responder.evaluated.values().forEach(times -> assertThat(times).as("in order, once")
                .isEqualTo(LongStream.range(0, 2L * batches).boxed().toList()));
        assertThat(node.meters.get(ClusterMetrics.READINGS_HANDED_OFF).tag("outcome", "sent").counter().count())
                .isEqualTo(patients * batches);
        assertThat(node.meters.get(ClusterMetrics.PARTITION_REBUILD).timer().count()).isEqualTo(1);
        assertThat(node.meters.get(ClusterMetrics.PARTITIONS_OWNED).tag("consumer", "evaluator").gauge().value())
                .isEqualTo(PARTITIONS);
    }

    @Test
    void aHandOffFailsWhenKafkaDoesNotTakeEveryRecord() throws Exception {
        ClusterConfig config = config(Duration.ofSeconds(2));
        Node node = new Node(config, null);
        ClusterMetrics metrics = ClusterMetrics.micrometer(node.meters);
        await(node.vertx.deployVerticle(new ReadingHandoff(config, metrics), ReadingHandoff.options()));
        // One patient's record is over the producer's 1 MB request limit; the other's goes through.
        List<Reading> readings = new ArrayList<>();
        readings.add(new Reading(1, 1, Metric.HEART_RATE, 0, 70));
        for (int i = 0; i < 40_000; i++) {
            readings.add(new Reading(2, 2, Metric.HEART_RATE, i, 70));
        }
        assertThatThrownBy(() -> node.handOff(new ReadingBatch(1, readings.size(), readings)))
                .hasCauseInstanceOf(ReplyException.class)
                .cause().satisfies(e -> assertThat(((ReplyException) e).failureCode())
                        .isEqualTo(ReadingHandoff.NOT_HANDED_OFF));
        assertThat(node.meters.get(ClusterMetrics.READINGS_HANDED_OFF).tag("outcome", "failed").counter().count())
                .isEqualTo(1);
        assertThat(node.meters.get(ClusterMetrics.READINGS_HANDED_OFF).tag("outcome", "sent").counter().count())
                .isEqualTo(1);
    }

    @Test
    void aFailedEvaluationIsRetriedAndNothingIsCommittedPastIt() throws Exception {
        ClusterConfig config = config(Duration.ofSeconds(2));
        Responder responder = new Responder("a", new HashMap<>(), new CopyOnWriteArrayList<>());
        Node node = new Node(config, responder).start();
        responder.register(node.vertx);
        waitUntil(() -> node.evaluator.notReady() == null);

        long patient = 7;
        node.handOff(batch(0, patient));
        waitUntil(() -> committed(config) == 1);
        // Alerting cannot record the second batch's readings for a while; the third waits behind it.
        responder.fail = b -> b.readings().get(0).measuredAt() == 2;
        node.handOff(batch(1, patient));
        node.handOff(batch(2, patient));
        waitUntil(() -> responder.failed.get() >= 3);
        assertThat(committed(config)).as("nothing committed past the failed record").isEqualTo(1);
        synchronized (responder.evaluated) {
            assertThat(responder.evaluated.get(patient)).as("nothing evaluated past it").containsExactly(0L, 1L);
        }

        responder.fail = b -> false;
        waitUntil(() -> committed(config) == 3);
        synchronized (responder.evaluated) {
            assertThat(responder.evaluated.get(patient)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        }
        assertThat(responder.violations).isEmpty();
    }

    @Test
    void aSecondEvaluatorTakesOverThePartitionsOfOneThatClosed() throws Exception {
        // Longer than the wait below: only leaving the group on close moves the partitions in time (the survivor
        // hears of the change at its next heartbeat, a third of the session timeout).
        ClusterConfig config = config(Duration.ofSeconds(30));
        Map<Long, List<Long>> evaluated = new HashMap<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        Responder ra = new Responder("a", evaluated, violations);
        Responder rb = new Responder("b", evaluated, violations);
        ra.other = rb;
        rb.other = ra;
        Node a = new Node(config, ra).start();
        ra.register(a.vertx);
        waitUntil(() -> a.evaluator.notReady() == null && ra.owned.size() == PARTITIONS);
        Node b = new Node(config, rb).start();
        rb.register(b.vertx);
        waitUntil(() -> b.evaluator.notReady() == null && !rb.owned.isEmpty() && ra.owned.size() < PARTITIONS);

        long[] patients = LongStream.rangeClosed(1, 12).toArray();
        for (int i = 0; i < 5; i++) {
            a.handOff(batch(i, patients));
        }
        waitUntil(() -> ra.records.get() + rb.records.get() == 5 * patients.length);
        assertThat(ra.records.get()).as("both evaluate").isPositive();
        assertThat(rb.records.get()).isPositive();
        // Closed after its last commit: a close during it would leave that poll to be replayed, as it may be.
        waitUntil(() -> committed(config) == 5L * patients.length);

        a.close();
        nodes.remove(a);
        waitUntil(() -> rb.owned.size() == PARTITIONS, Duration.ofSeconds(25));
        for (int i = 5; i < 10; i++) {
            b.handOff(batch(i, patients));
        }
        waitUntil(() -> ra.records.get() + rb.records.get() == 10 * patients.length);
        Thread.sleep(1000);
        assertThat(violations).isEmpty();
        assertThat(ra.records.get() + rb.records.get()).as("each record evaluated once")
                .isEqualTo(10 * patients.length);
        synchronized (evaluated) {
            assertThat(evaluated).hasSize(patients.length);
            evaluated.values().forEach(times -> assertThat(times).isEqualTo(LongStream.range(0, 20).boxed().toList()));
        }
    }

    /** Batch {@code b} of stream 1: two readings each of {@code patients}, times {@code 2b} and {@code 2b + 1}. */
    private static ReadingBatch batch(int b, long... patients) {
        List<Reading> readings = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            for (long patient : patients) {
                readings.add(new Reading(patient, patient, Metric.HEART_RATE, 2L * b + k, 70));
            }
        }
        return new ReadingBatch(1, (long) (b + 1) * readings.size(), readings);
    }

    private long endOffsets(ClusterConfig config) throws Exception {
        Map<TopicPartition, OffsetSpec> wanted = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            wanted.put(new TopicPartition(config.readingsTopic(), p), OffsetSpec.latest());
        }
        return admin.listOffsets(wanted).all().get(30, TimeUnit.SECONDS).values().stream()
                .mapToLong(info -> info.offset()).sum();
    }

    private long committed(ClusterConfig config) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(config.evaluatorGroup())
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        return offsets.values().stream().filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void waitUntil(Check check) throws Exception {
        waitUntil(check, Duration.ofSeconds(60));
    }

    private static void waitUntil(Check check, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit);
            }
            Thread.sleep(50);
        }
    }
}
