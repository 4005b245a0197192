package org.vigil.cluster.app;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.vigil.cluster.config.ClusterConfig;
import org.vigil.cluster.relay.EventRelay;
import org.vigil.cluster.kafka.TopicSetup;
import org.vigil.cluster.metrics.ClusterMetrics;
import org.vigil.common.app.Role;
import org.vigil.common.app.RoleContext;

/**
 * Cluster mode: what a single process keeps to itself, carried between nodes through Kafka. The launcher adds it
 * only when {@link ClusterConfig#from} finds {@code VIGIL_KAFKA_BOOTSTRAP_SERVERS}, and starts it before the other
 * roles (stops it after them), so nothing they announce is missed. It touches Kafka's classes only from
 * {@link #start}: a single node never loads them.
 *
 * <p>Today it relays announcements ({@link EventRelay}): a doctor's live feed shows alerts raised on any node, and
 * registry changes reach every node's caches. docs/cluster.md says what comes next.
 */
public final class ClusterRole implements Role {

    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(60);

    private final RoleContext context;
    private final ClusterConfig config;
    private String relayDeployment;

    public ClusterRole(RoleContext context, ClusterConfig config) {
        this.context = Objects.requireNonNull(context, "context");
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public String name() {
        return "cluster";
    }

    @Override
    public Future<Void> start() {
        ClusterMetrics metrics = ClusterMetrics.micrometer(context.meters(), EventRelay.CONSUMER);
        return context.vertx().executeBlocking(() -> {
            new TopicSetup(config, TOPIC_TIMEOUT).ensure(List.of(
                    new TopicSetup.Wanted(config.eventsTopic(), config.eventPartitions())));
            return null;
        }, false).compose(v -> context.vertx().deployVerticle(new EventRelay(config, metrics),
                EventRelay.options())).onSuccess(id -> relayDeployment = id).mapEmpty();
    }

    @Override
    public void mount(Router api) {
        // No routes of its own.
    }

    @Override
    public Future<Void> stop() {
        return relayDeployment == null ? Future.succeededFuture() : context.vertx().undeploy(relayDeployment);
    }
}
