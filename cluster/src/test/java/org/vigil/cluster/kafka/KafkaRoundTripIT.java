package org.vigil.cluster.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.cluster.config.ClusterConfig;
import org.vigil.cluster.testing.TestKafka;

/**
 * Records go through a real broker: created topics, an idempotent producer fed from its own thread, a consumer
 * pump on its own thread; every record arrives once, in order per key.
 */
@Timeout(120)
class KafkaRoundTripIT {

    private static final RecordPump.AssignmentListener IGNORE = new RecordPump.AssignmentListener() {
        @Override
        public void assigned(Collection<TopicPartition> partitions) {
        }

        @Override
        public void revoked(Collection<TopicPartition> partitions) {
        }
    };

    private static ClusterConfig config() {
        return new ClusterConfig(List.of(TestKafka.bootstrapServers().split(",")), TestKafka.newTopicPrefix(), 3,
                3, (short) 1, true, "round-trip", Duration.ofSeconds(15));
    }

    @Test
    void everyRecordSentArrivesOnceInOrderPerKey() throws Exception {
        ClusterConfig config = config();
        String topic = config.eventsTopic();
        new TopicSetup(config, Duration.ofSeconds(30)).ensure(List.of(new TopicSetup.Wanted(topic, 3)));

        Map<String, List<Integer>> received = new ConcurrentHashMap<>();
        List<String> all = new CopyOnWriteArrayList<>();
        try (RecordPump pump = new RecordPump(KafkaClients.consumer(config, "test", "round-trip-group", true),
                List.of(topic), records -> records.forEach(r -> {
                    String value = new String(r.value(), StandardCharsets.UTF_8);
                    all.add(value);
                    received.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>())
                            .add(Integer.parseInt(value.substring(value.indexOf(':') + 1)));
                }), IGNORE, RecordPump.Offsets.REMEMBERED, "test-pump").start();
                RecordSender sender = new RecordSender(KafkaClients.producer(config, "test"), "test-sender")) {
            pump.ready().get(60, TimeUnit.SECONDS);

            List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                String key = "patient-" + (i % 7);
                acks.add(sender.send(new ProducerRecord<>(topic, key, (key + ":" + i).getBytes(StandardCharsets.UTF_8))));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (all.size() < 500 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(500);
        }
        assertThat(all).hasSize(500).doesNotHaveDuplicates();
        assertThat(received).hasSize(7);
        received.values().forEach(sequence -> assertThat(sequence).isSorted());
    }

    @Test
    void topicSetupCreatesOnceLeavesAnExistingTopicAloneAndCreatesNothingWhenTold() throws Exception {
        ClusterConfig config = config();
        String topic = config.eventsTopic();
        TopicSetup setup = new TopicSetup(config, Duration.ofSeconds(30));
        setup.ensure(List.of(new TopicSetup.Wanted(topic, 3)));
        setup.ensure(List.of(new TopicSetup.Wanted(topic, 5)));
        try (Admin admin = Admin.create(KafkaClients.admin(config))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
            assertThat(partitions).isEqualTo(3);
        }

        ClusterConfig managed = new ClusterConfig(config.bootstrapServers(), TestKafka.newTopicPrefix(), 3, 3,
                (short) 1, false, "round-trip", Duration.ofSeconds(15));
        assertThatThrownBy(() -> new TopicSetup(managed, Duration.ofSeconds(30))
                .ensure(List.of(new TopicSetup.Wanted(managed.eventsTopic(), 3))))
                .as("a missing topic Vigil may not create stops the start")
                .hasMessageContaining(managed.eventsTopic()).hasMessageContaining("VIGIL_KAFKA_CREATE_TOPICS");
    }
}
