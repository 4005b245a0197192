package org.vigil.cluster.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.cluster.config.ClusterConfig;

/**
 * Creates the topics a node needs when they are missing, with the configured partitions and replication, and
 * warns when an existing topic has fewer partitions than configured (Vigil never changes a topic it did not just
 * create: adding partitions moves keys between partitions, which only an operator should decide). Blocking:
 * call it on a worker thread.
 */
public final class TopicSetup {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

    /** A topic and the partitions it should have. */
    public record Wanted(String name, int partitions) {
    }

    private final ClusterConfig config;
    private final Duration timeout;

    public TopicSetup(ClusterConfig config, Duration timeout) {
        this.config = config;
        this.timeout = timeout;
    }

    private Map<String, Object> withTimeout(Map<String, Object> props) {
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        return props;
    }

    /**
     * Makes sure every wanted topic exists; fails, naming the setting to check, when the brokers do not answer within
     * the timeout.
     */
    public void ensure(List<Wanted> wanted) throws InterruptedException, ExecutionException {
        try {
            create(wanted);
        } catch (TimeoutException e) {
            throw unreachable(e);
        } catch (ExecutionException e) {
            // The admin client's own time-out, which comes first.
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(e);
            }
            throw e;
        }
    }

    private IllegalStateException unreachable(Exception cause) {
        return new IllegalStateException("Kafka did not answer within " + timeout.toSeconds() + " s at "
                + config.bootstrap() + " (" + ClusterConfig.BOOTSTRAP_SERVERS + ")", cause);
    }

    private void create(List<Wanted> wanted) throws InterruptedException, ExecutionException, TimeoutException {
        // The admin client gives up no later than this call does, so closing it never waits on a dead broker.
        try (Admin admin = Admin.create(withTimeout(KafkaClients.admin(config)))) {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Wanted w : wanted) {
                if (!existing.contains(w.name())) {
                    missing.add(new NewTopic(w.name(), Optional.of(w.partitions()),
                            Optional.of(config.replication())));
                }
            }
            if (!missing.isEmpty() && !config.createTopics()) {
                throw new IllegalStateException("Topics missing: " + missing.stream().map(NewTopic::name).toList()
                        + "; create them, or let Vigil create them (" + ClusterConfig.CREATE_TOPICS + ")");
            }
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    LOG.info("Created topic [topic: {}]", entry.getKey());
                } catch (ExecutionException e) {
                    // Another node created it at the same moment.
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            // Only topics that were there before: a topic just created may not be known to every broker yet.
            List<String> before = wanted.stream().map(Wanted::name).filter(existing::contains).toList();
            if (before.isEmpty()) {
                return;
            }
            Map<String, TopicDescription> described = admin.describeTopics(before).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            for (Wanted w : wanted) {
                TopicDescription d = described.get(w.name());
                if (d != null && d.partitions().size() < w.partitions()) {
                    LOG.warn("Topic has fewer partitions than configured [topic: {}, partitions: {}, configured: {}]",
                            w.name(), d.partitions().size(), w.partitions());
                }
            }
        }
    }
}
