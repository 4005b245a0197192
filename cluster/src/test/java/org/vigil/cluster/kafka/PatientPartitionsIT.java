package org.vigil.cluster.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.cluster.config.ClusterConfig;
import org.vigil.cluster.testing.TestKafka;

/**
 * The Kafka half of partitioned evaluation, against the real broker: two members of one group share the patients'
 * partitions; one is killed mid-stream, in the middle of applying a poll's records; the survivor takes its
 * partitions, rebuilds them before handling any of their records, and replays the uncommitted tail, which an
 * idempotent application absorbs. Every reading is applied ("notified") exactly once, in order per patient, and
 * no partition is ever handled by two members at once.
 */
@Timeout(120)
class PatientPartitionsIT {

    private static final int PATIENTS = 20;
    private static final int READINGS_EACH = 60;
    private static final int PARTITIONS = 6;

    /** What an alert store would hold: per patient the last reading applied; what was notified, and violations. */
    private static final class Store {
        final Map<String, Integer> applied = new HashMap<>();
        final List<String> notified = new CopyOnWriteArrayList<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final AtomicInteger replays = new AtomicInteger();
        final Map<Integer, AtomicReference<String>> inside = new ConcurrentHashMap<>();

        synchronized void apply(String patient, int seq) {
            int last = applied.getOrDefault(patient, -1);
            if (seq <= last) {
                replays.incrementAndGet();
            } else if (seq != last + 1) {
                violations.add("gap for " + patient + ": " + last + " then " + seq);
            } else {
                applied.put(patient, seq);
                notified.add(patient + ":" + seq);
            }
        }
    }

    /** A simulated alerting node: rebuilds a partition's patients on assignment, then applies their readings. */
    private static final class Evaluator implements RecordPump.Handler, RecordPump.AssignmentListener {
        final String name;
        final Store store;
        final Set<Integer> rebuilt = ConcurrentHashMap.newKeySet();
        final AtomicInteger handled = new AtomicInteger();
        volatile int crashAfter = Integer.MAX_VALUE;
        volatile int handledAtCrash = -1;
        volatile RecordPump pump;

        Evaluator(String name, Store store) {
            this.name = name;
            this.store = store;
        }

        @Override
        public void assigned(Collection<TopicPartition> partitions) {
            // Stands for loading the partition's patients' readings and alerts from the database.
            partitions.forEach(tp -> rebuilt.add(tp.partition()));
        }

        @Override
        public void revoked(Collection<TopicPartition> partitions) {
            partitions.forEach(tp -> rebuilt.remove(tp.partition()));
        }

        @Override
        public void handle(ConsumerRecords<String, byte[]> records) {
            int appliedThisPoll = 0;
            for (TopicPartition tp : records.partitions()) {
                AtomicReference<String> in = store.inside.computeIfAbsent(tp.partition(), p -> new AtomicReference<>());
                if (!in.compareAndSet(null, name)) {
                    store.violations.add(name + " handles partition " + tp.partition() + " while " + in.get() + " does");
                }
                if (!rebuilt.contains(tp.partition())) {
                    store.violations.add(name + " handles partition " + tp.partition() + " before rebuilding it");
                }
                for (ConsumerRecord<String, byte[]> r : records.records(tp)) {
                    if (handled.get() >= crashAfter && appliedThisPoll > 0) {
                        // Killed in the middle of its alert writes: some of this poll's readings applied, the rest
                        // not, and no offset of this poll committed. At least one applied reading is needed for an
                        // uncommitted tail to replay: a crash at a poll's first record would leave none.
                        handledAtCrash = handled.get();
                        pump.crash();
                        in.set(null);
                        return;
                    }
                    store.apply(r.key(), Integer.parseInt(new String(r.value(), StandardCharsets.UTF_8)));
                    handled.incrementAndGet();
                    appliedThisPoll++;
                }
                in.set(null);
            }
        }
    }

    @Test
    void aKilledMembersPatientsMoveToTheSurvivorWithNothingLostOrNotifiedTwice() throws Exception {
        ClusterConfig config = new ClusterConfig(List.of(TestKafka.bootstrapServers().split(",")),
                TestKafka.newTopicPrefix(), 3, PARTITIONS, (short) 1, true, "partitions", Duration.ofSeconds(2));
        String topic = config.readingsTopic();
        new TopicSetup(config, Duration.ofSeconds(30)).ensure(List.of(new TopicSetup.Wanted(topic, PARTITIONS)));

        Store store = new Store();
        Evaluator a = new Evaluator("a", store);
        Evaluator b = new Evaluator("b", store);
        a.crashAfter = 200;
        try (RecordPump pumpA = pump(config, topic, a); RecordPump pumpB = pump(config, topic, b);
                RecordSender sender = new RecordSender(KafkaClients.producer(config, "test"), "test-sender")) {
            pumpA.ready().get(60, TimeUnit.SECONDS);
            pumpB.ready().get(60, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((a.rebuilt.isEmpty() || b.rebuilt.isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(a.rebuilt).as("the members share the partitions").isNotEmpty();
            assertThat(b.rebuilt).isNotEmpty();

            List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
            for (int seq = 0; seq < READINGS_EACH; seq++) {
                for (int p = 0; p < PATIENTS; p++) {
                    acks.add(sender.send(new ProducerRecord<>(topic, "patient-" + p,
                            Integer.toString(seq).getBytes(StandardCharsets.UTF_8))));
                }
                Thread.sleep(10);
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (store.notified.size() < PATIENTS * READINGS_EACH && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(1000);
            assertThat(b.rebuilt).as("the survivor owns every partition").hasSize(PARTITIONS);
        }
        assertThat(store.violations).isEmpty();
        assertThat(store.notified).as("every reading applied once").hasSize(PATIENTS * READINGS_EACH)
                .doesNotHaveDuplicates();
        assertThat(store.replays.get()).as("the killed member's uncommitted tail was replayed, and absorbed")
                .isPositive();
        assertThat(a.handledAtCrash).as("the killed member crashed mid-stream").isGreaterThanOrEqualTo(200)
                .isLessThan(PATIENTS * READINGS_EACH);
        assertThat(a.handled.get()).as("the killed member handled nothing after its death").isEqualTo(a.handledAtCrash);
    }

    private static RecordPump pump(ClusterConfig config, String topic, Evaluator evaluator) {
        Map<String, Object> props = KafkaClients.partitionedWork(config, "evaluator-" + evaluator.name, "evaluators");
        // A killed member's partitions move after two seconds instead of the default 45.
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 2000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 300);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        RecordPump pump = new RecordPump(props, List.of(topic), evaluator, evaluator, RecordPump.Offsets.COMMITTED,
                "evaluator-" + evaluator.name);
        evaluator.pump = pump;
        return pump.start();
    }
}
