package org.vigil.cluster.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker for integration tests: one per test JVM, started on first use, in this process, on
 * loopback. It is Kafka's own test kit ({@link KafkaClusterTestKit}, from the {@code kafka-test-common-runtime}
 * artifact): a single KRaft node that is both controller and broker, the same server classes a production broker
 * runs. Tests keep apart by topic prefix ({@link #newTopicPrefix()}), as they keep apart by database with
 * {@code TestPostgres}.
 */
public final class TestKafka {

    private static final Logger LOG = LoggerFactory.getLogger(TestKafka.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static KafkaClusterTestKit cluster;
    private static String bootstrap;

    private TestKafka() {
    }

    /** {@code host:port} of the broker, starting it first if need be. */
    public static synchronized String bootstrapServers() {
        if (cluster == null) {
            start();
        }
        return bootstrap;
    }

    /** A topic prefix no other test of this JVM uses. */
    public static String newTopicPrefix() {
        return "test" + COUNTER.incrementAndGet() + ".";
    }

    private static void start() {
        long began = System.nanoTime();
        try {
            Path dir = Files.createTempDirectory("vigil-kafka");
            // The features a released broker of this version starts with, not the test kit's unreleased ones.
            MetadataVersion version = MetadataVersion.latestProduction();
            Map<String, Short> features = new TreeMap<>();
            for (Feature feature : Feature.PRODUCTION_FEATURES) {
                features.put(feature.featureName(), feature.defaultLevel(version));
            }
            TestKitNodes nodes = new TestKitNodes.Builder(BootstrapMetadata.fromVersions(version, features, "vigil-test"))
                    .setCombined(true)
                    .setNumControllerNodes(1)
                    .setNumBrokerNodes(1)
                    .setBaseDirectory(dir)
                    .build();
            KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(nodes)
                    // Only what a released broker offers, so the clients are tested against that.
                    .setConfigProp("unstable.feature.versions.enable", "false")
                    .setConfigProp("unstable.api.versions.enable", "false")
                    // One broker: internal topics cannot have more replicas than that.
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "3")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    // A group forms at once instead of waiting 3 s for more members.
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    // Fault tests let a killed member's partitions move after a short session timeout.
                    .setConfigProp("group.min.session.timeout.ms", "1000")
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            cluster = kit;
            bootstrap = kit.bootstrapServers();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the test Kafka broker", e);
        }
        LOG.info("Test Kafka broker ready in {} ms [bootstrap: {}, java: {}]", (System.nanoTime() - began) / 1_000_000,
                bootstrap, Runtime.version());
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            try {
                cluster.close();
            } catch (Exception e) {
                LOG.warn("Test Kafka broker did not stop cleanly", e);
            }
        }));
    }
}
