package org.vigil.cluster.evaluation;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.cluster.kafka.RecordPump;
import org.vigil.cluster.metrics.ClusterMetrics;
import org.vigil.common.bus.Addresses;

/**
 * Tells alerting which partitions of the readings topic this node's evaluator was given or lost, on the pump's
 * thread, and waits for its answer: {@link Addresses#EVALUATION_PARTITIONS}
 * {@code {"partitions": n, "assigned": [..], "revoked": [..]}}. The pump hands over none of an assigned partition's
 * records before this returns, so alerting has rebuilt its patients first.
 *
 * <p>A change is retried, with a growing pause, until alerting answers: at start-up its consumer does not exist yet
 * (the cluster role starts first), and a rebuild that failed must not let records through. Only stopping ends the
 * retries; a revocation while stopping (the pump leaving its group) is tried once, since alerting may be gone.
 * Empty changes are not sent: cooperative rebalancing reports them to members that keep their partitions.
 *
 * <p>Readiness: {@link #notReady} gives a reason until the first assignment was answered (or was empty).
 */
final class PartitionOwnership implements RecordPump.AssignmentListener {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionOwnership.class);
    private static final Duration FIRST_PAUSE = Duration.ofMillis(100);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(5);
    /** How long a stopping node waits for alerting to hear of the partitions it leaves. */
    private static final Duration LAST_WORD = Duration.ofSeconds(2);

    private final EventBus bus;
    private final PumpCalls calls;
    private final ClusterMetrics metrics;
    private final String topic;
    private final ToIntFunction<String> partitionCount;
    private final Duration rebuildTimeout;
    private final Set<Integer> owned = new HashSet<>();
    /** The topic's partitions at the last assignment: what a revocation is told, without asking the brokers. */
    private int partitions;
    private volatile String notReady;

    /**
     * @param partitionCount the topic's partitions now ({@link RecordPump#partitionCount}), asked on the pump's
     *                       thread
     */
    PartitionOwnership(EventBus bus, PumpCalls calls, ClusterMetrics metrics, String topic,
            ToIntFunction<String> partitionCount, Duration rebuildTimeout) {
        this.bus = Objects.requireNonNull(bus, "bus");
        this.calls = Objects.requireNonNull(calls, "calls");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.partitionCount = Objects.requireNonNull(partitionCount, "partitionCount");
        this.rebuildTimeout = Objects.requireNonNull(rebuildTimeout, "rebuildTimeout");
        this.notReady = "waiting for partitions of " + topic;
    }

    /** Why this node cannot evaluate its share yet, or null once its first assignment is rebuilt. */
    String notReady() {
        return notReady;
    }

    @Override
    public void assigned(Collection<TopicPartition> partitions) {
        Set<Integer> numbers = numbers(partitions);
        owned.addAll(numbers);
        metrics.rebalanced(ReadingEvaluator.CONSUMER, owned.size());
        if (numbers.isEmpty()) {
            notReady = null;
            return;
        }
        if (notReady != null) {
            notReady = "rebuilding " + numbers.size() + " assigned partitions of " + topic;
        }
        long began = System.nanoTime();
        if (!tell(numbers, Set.of())) {
            // Stopping: no record is handed over any more (the dispatch refuses), so nothing goes unrebuilt.
            return;
        }
        metrics.partitionsRebuilt(Duration.ofNanos(System.nanoTime() - began));
        LOG.info("Evaluating partitions [topic: {}, assigned: {}, owned: {}, took: {} ms]", topic, numbers,
                owned.size(), (System.nanoTime() - began) / 1_000_000);
        notReady = null;
    }

    @Override
    public void revoked(Collection<TopicPartition> partitions) {
        Set<Integer> numbers = numbers(partitions);
        owned.removeAll(numbers);
        metrics.rebalanced(ReadingEvaluator.CONSUMER, owned.size());
        if (numbers.isEmpty()) {
            return;
        }
        if (calls.closing()) {
            try {
                calls.awaitWhileStopping(() -> bus.request(Addresses.EVALUATION_PARTITIONS,
                        change(this.partitions, Set.of(), numbers), new DeliveryOptions().setSendTimeout(
                                LAST_WORD.toMillis())), LAST_WORD);
            } catch (Exception e) {
                LOG.debug("Revocation on leaving not answered [topic: {}, revoked: {}]: {}", topic, numbers,
                        e.toString());
            }
            return;
        }
        if (!tell(Set.of(), numbers)) {
            return;
        }
        LOG.info("Partitions moved away [topic: {}, revoked: {}, owned: {}]", topic, numbers, owned.size());
    }

    /**
     * Sends the change until alerting answers it: true once it did, false when the evaluator stops first (returning
     * rather than throwing, which Kafka would log as a failed listener).
     */
    private boolean tell(Set<Integer> assigned, Set<Integer> revoked) {
        Duration pause = FIRST_PAUSE;
        while (true) {
            try {
                if (!assigned.isEmpty()) {
                    // Asked anew: the brokers' count is the truth, whatever the configuration says.
                    this.partitions = partitionCount.applyAsInt(topic);
                }
                JsonObject change = change(this.partitions, assigned, revoked);
                calls.await(() -> bus.request(Addresses.EVALUATION_PARTITIONS, change, options()), rebuildTimeout);
                return true;
            } catch (CancellationException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                if (e instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS) {
                    // Alerting has not started yet: expected at start-up.
                    LOG.debug("Alerting not listening yet [topic: {}]", topic);
                } else {
                    LOG.warn("Partition change not answered; retrying [topic: {}, assigned: {}, revoked: {}]: {}",
                            topic, assigned, revoked, e.toString());
                }
            }
            try {
                if (!calls.pause(pause)) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
        }
    }

    private DeliveryOptions options() {
        return new DeliveryOptions().setSendTimeout(rebuildTimeout.toMillis());
    }

    private static JsonObject change(int partitions, Set<Integer> assigned, Set<Integer> revoked) {
        return new JsonObject().put("partitions", partitions)
                .put("assigned", new JsonArray(assigned.stream().sorted().toList()))
                .put("revoked", new JsonArray(revoked.stream().sorted().toList()));
    }

    private Set<Integer> numbers(Collection<TopicPartition> partitions) {
        Set<Integer> numbers = new HashSet<>();
        for (TopicPartition tp : partitions) {
            if (tp.topic().equals(topic)) {
                numbers.add(tp.partition());
            }
        }
        return numbers;
    }
}
