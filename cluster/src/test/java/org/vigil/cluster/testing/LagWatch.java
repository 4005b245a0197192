package org.vigil.cluster.testing;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Prints a consumer group's committed lag twice a second, for benchmarks that kill a group member
 * (docs/bench/cluster.sh): the records on the topic that the group has not yet committed, that is, for Vigil's
 * evaluators, readings not yet evaluated and recorded. It reads from outside the nodes, through the admin API, so
 * it sees what a killed node can no longer report, and it does not wait for Micrometer to find a new
 * partition's meters (every 10 s).
 *
 * <p>Each line: {@code <epoch ms> lag <records> members <n> committed-partitions <n>}. Partitions the group
 * has never committed are left out: their records were written before the group first read them, or never.
 *
 * <p>Usage: {@code java -cp <cluster test classpath> org.vigil.cluster.testing.LagWatch <bootstrap> <group> <topic>
 * <seconds>}.
 */
public final class LagWatch {

    private LagWatch() {
    }

    public static void main(String[] args) throws InterruptedException {
        String group = args[1];
        String topic = args[2];
        long end = System.nanoTime() + Duration.ofSeconds(Long.parseLong(args[3])).toNanos();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        try (Admin admin = Admin.create(p)) {
            while (System.nanoTime() < end) {
                long at = System.currentTimeMillis();
                try {
                    System.out.println(at + " " + sample(admin, group, topic));
                } catch (ExecutionException e) {
                    System.out.println(at + " error " + e.getCause());
                }
                System.out.flush();
                Thread.sleep(500);
            }
        }
    }

    private static String sample(Admin admin, String group, String topic) throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.forEach((tp, offset) -> {
            if (tp.topic().equals(topic) && offset != null) {
                latest.put(tp, OffsetSpec.latest());
            }
        });
        long lag = 0;
        if (!latest.isEmpty()) {
            var ends = admin.listOffsets(latest).all().get();
            for (TopicPartition tp : latest.keySet()) {
                lag += Math.max(0, ends.get(tp).offset() - committed.get(tp).offset());
            }
        }
        int members = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get().members().size();
        return "lag " + lag + " members " + members + " committed-partitions " + latest.size();
    }
}
