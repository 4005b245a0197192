package org.vigil.cluster.app;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.vigil.cluster.config.ClusterConfig;
import org.vigil.cluster.evaluation.ReadingEvaluator;
import org.vigil.cluster.evaluation.ReadingHandoff;
import org.vigil.cluster.kafka.TopicSetup;
import org.vigil.cluster.metrics.ClusterMetrics;
import org.vigil.cluster.relay.EventRelay;
import org.vigil.common.app.Role;
import org.vigil.common.app.RoleContext;

/**
 * Cluster mode: what a single process keeps to itself, carried between nodes through Kafka. The launcher adds it
 * only when {@link ClusterConfig#from} finds {@code VIGIL_KAFKA_BOOTSTRAP_SERVERS}, and starts it before the other
 * roles (stops it after them), so nothing they announce is missed. It touches Kafka's classes only from
 * {@link #start}: a single node never loads them.
 *
 * <p>It relays announcements ({@link EventRelay}): a doctor's live feed shows alerts raised on any node, and
 * registry changes reach every node's caches. It hands stored readings to the readings topic, keyed by patient
 * ({@link ReadingHandoff}, every node), and, on a node that evaluates alerts, owns a share of that topic's
 * partitions and hands their records to alerting ({@link ReadingEvaluator}). docs/cluster.md describes the mode.
 */
public final class ClusterRole implements Role {

    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(60);

    private final RoleContext context;
    private final ClusterConfig config;
    private final boolean evaluates;
    private volatile String relayDeployment;
    private String handoffDeployment;
    private String evaluatorDeployment;
    private volatile ReadingEvaluator evaluator;

    /**
     * @param evaluates whether this process evaluates alerts (runs the alerting role), and so takes a share of the
     *                  readings topic's partitions
     */
    public ClusterRole(RoleContext context, ClusterConfig config, boolean evaluates) {
        this.context = Objects.requireNonNull(context, "context");
        this.config = Objects.requireNonNull(config, "config");
        this.evaluates = evaluates;
    }

    @Override
    public String name() {
        return "cluster";
    }

    @Override
    public Future<Void> start() {
        ClusterMetrics metrics = evaluates
                ? ClusterMetrics.micrometer(context.meters(), EventRelay.CONSUMER, ReadingEvaluator.CONSUMER)
                : ClusterMetrics.micrometer(context.meters(), EventRelay.CONSUMER);
        var vertx = context.vertx();
        return vertx.executeBlocking(() -> {
            new TopicSetup(config, TOPIC_TIMEOUT).ensure(List.of(
                    new TopicSetup.Wanted(config.eventsTopic(), config.eventPartitions()),
                    new TopicSetup.Wanted(config.readingsTopic(), config.readingPartitions())));
            return null;
        }, false).compose(v -> vertx.deployVerticle(new EventRelay(config, metrics), EventRelay.options()))
                .onSuccess(id -> relayDeployment = id)
                .compose(v -> vertx.deployVerticle(new ReadingHandoff(config, metrics), ReadingHandoff.options()))
                .onSuccess(id -> handoffDeployment = id)
                .compose(v -> {
                    if (!evaluates) {
                        return Future.succeededFuture();
                    }
                    // Does not wait for partitions: alerting, which must answer the first assignment, starts later.
                    ReadingEvaluator e = new ReadingEvaluator(config, metrics);
                    return vertx.deployVerticle(e, ReadingEvaluator.options()).onSuccess(id -> {
                        evaluatorDeployment = id;
                        evaluator = e;
                    });
                })
                // A start that failed is never stopped: release what did start.
                .onFailure(e -> stop()).mapEmpty();
    }

    @Override
    public void mount(Router api) {
        // No routes of its own.
    }

    /**
     * Not ready until the relay follows the event topic and, on a node that evaluates, the evaluator was given its
     * first partitions and alerting rebuilt them.
     */
    @Override
    public String notReady() {
        if (relayDeployment == null) {
            return "relay not yet following " + config.eventsTopic();
        }
        if (!evaluates) {
            return null;
        }
        ReadingEvaluator e = evaluator;
        return e == null ? "evaluator not started" : e.notReady();
    }

    /** The evaluator first (it leaves its group, so its partitions move at once), then the hand-off, then the relay. */
    @Override
    public Future<Void> stop() {
        return undeploy(evaluatorDeployment).transform(ar -> undeploy(handoffDeployment))
                .transform(ar -> undeploy(relayDeployment));
    }

    private Future<Void> undeploy(String deployment) {
        return deployment == null ? Future.succeededFuture() : context.vertx().undeploy(deployment);
    }
}
