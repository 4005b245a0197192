package org.vigil.cluster.evaluation;

import io.micrometer.core.instrument.Tags;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.cluster.config.ClusterConfig;
import org.vigil.cluster.kafka.KafkaClients;
import org.vigil.cluster.kafka.RecordPump;
import org.vigil.cluster.metrics.ClusterMetrics;
import org.vigil.common.bus.Addresses;

/**
 * This node's share of evaluation, partitioned by patient: a member of the evaluators' group
 * ({@link ClusterConfig#evaluatorGroup()}) on the readings topic, deployed only on nodes with the alerting role.
 *
 * <p>Its {@link RecordPump} (own thread, committed offsets) tells alerting of each partition change and waits for
 * the rebuild ({@link PartitionOwnership}, {@link Addresses#EVALUATION_PARTITIONS}), then hands each poll's records
 * to alerting, a partition's in order ({@link RecordDispatch}, {@link Addresses#EVALUATE_READINGS}); a poll's
 * offsets are committed only after every one of its records was answered. Start does not wait for an assignment:
 * alerting starts after the cluster role, and the first partition change waits for it ({@link #notReady} says so
 * meanwhile). Stop ends every wait and closes the consumer, which leaves the group so the partitions move at once.
 */
public final class ReadingEvaluator extends VerticleBase {

    /** The consumer's name in the rebalance and owned-partition metrics. */
    public static final String CONSUMER = "evaluator";
    /** The {@code relay} tag of the readings topic's clients' Kafka meters. */
    public static final String RELAY = "readings";
    /** How long alerting may take over a poll's evaluations, or over a rebuild, before it is asked again. */
    static final Duration REPLY_TIMEOUT = Duration.ofMinutes(5);
    /** Beyond a poll's or a rebuild's time-out, so waiting for alerting never costs the node its partitions. */
    private static final Duration MAX_HANDLING = REPLY_TIMEOUT.multipliedBy(2);

    private static final Logger LOG = LoggerFactory.getLogger(ReadingEvaluator.class);

    private final ClusterConfig config;
    private final ClusterMetrics metrics;
    private final Duration replyTimeout;
    private PumpCalls calls;
    private volatile PartitionOwnership ownership;
    private RecordPump pump;

    public ReadingEvaluator(ClusterConfig config, ClusterMetrics metrics) {
        this(config, metrics, REPLY_TIMEOUT);
    }

    ReadingEvaluator(ClusterConfig config, ClusterMetrics metrics, Duration replyTimeout) {
        this.config = Objects.requireNonNull(config, "config");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.replyTimeout = Objects.requireNonNull(replyTimeout, "replyTimeout");
    }

    /** One instance per node: one group member owns the node's share. */
    public static DeploymentOptions options() {
        return new DeploymentOptions().setInstances(1);
    }

    @Override
    public Future<?> start() {
        String topic = config.readingsTopic();
        calls = new PumpCalls(context);
        RecordDispatch dispatch = new RecordDispatch(vertx.eventBus(), calls, replyTimeout);
        PartitionOwnership owner = new PartitionOwnership(vertx.eventBus(), calls, metrics, topic,
                t -> pump.partitionCount(t), replyTimeout);
        // Creating a Kafka client resolves hosts and reads files: not on the event loop.
        return vertx.executeBlocking(() -> {
            pump = new RecordPump(KafkaClients.evaluator(config, MAX_HANDLING), List.of(topic), dispatch, owner,
                    RecordPump.Offsets.COMMITTED, "vigil-kafka-evaluator");
            metrics.bind(pump.meters(Tags.of("relay", RELAY)));
            ownership = owner;
            pump.start();
            return null;
        }).onSuccess(v -> LOG.info("Evaluating readings partitioned by patient [topic: {}, group: {}]", topic,
                config.evaluatorGroup())).onFailure(e -> stop());
    }

    /** Why this node cannot take its share of evaluation yet, or null once its first assignment is rebuilt. */
    public String notReady() {
        PartitionOwnership owner = ownership;
        return owner == null ? "evaluator starting" : owner.notReady();
    }

    @Override
    public Future<?> stop() {
        if (calls != null) {
            calls.close();
        }
        // Closing waits for the pump's thread, which leaves the group: not on the event loop.
        return vertx.executeBlocking(() -> {
            if (pump != null) {
                pump.close();
            }
            return null;
        });
    }
}
