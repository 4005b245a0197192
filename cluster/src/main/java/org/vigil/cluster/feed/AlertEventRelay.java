package org.vigil.cluster.feed;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.cluster.config.ClusterConfig;
import org.vigil.cluster.kafka.KafkaClients;
import org.vigil.cluster.kafka.RecordPump;
import org.vigil.cluster.kafka.RecordSender;
import org.vigil.cluster.metrics.ClusterMetrics;
import org.vigil.common.bus.Addresses;

/**
 * Carries alert events between nodes, so a doctor's live feed shows an alert whichever node raised it.
 *
 * <p>Every node publishes alert events on its own event bus ({@link Addresses#ALERT_CHANGED}), where its HTTP
 * verticles hand them to the feeds they serve. This relay listens there too and sends each event to the alert-event
 * topic, keyed by alert id (one alert's events stay in order), marked with this instance's origin. Each node reads
 * the whole topic in a consumer group of its own and publishes the events of <em>other</em> origins on its local
 * bus, marked as relayed, so its feeds get them once: its own events it skips (its feeds had them from the local
 * bus), and relayed ones it never sends back.
 *
 * <p>A feed is live, not a history: a new group starts at the end of the topic, and the origin names the process,
 * not the node, so a restarted node neither replays old events nor takes its predecessor's for its own. The group
 * commits no offsets, so it vanishes with the process; within its lifetime the pump resumes each partition where it
 * left off ({@link RecordPump}), so a rebalance neither repeats nor skips an event. The database stays the record:
 * an event lost on the way (Kafka unreachable, counted) is still in the alert list a feed's page loads.
 */
public final class AlertEventRelay extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(AlertEventRelay.class);
    /** Event-bus and Kafka header naming the process an event was raised in. */
    public static final String ORIGIN = "vigil-origin";
    /** The consumer's name in metrics. */
    public static final String CONSUMER = "alert_events";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final ClusterConfig config;
    private final ClusterMetrics metrics;
    private final String origin;
    private final byte[] originBytes;
    private final Set<TopicPartition> owned = new HashSet<>();
    private RecordSender sender;
    private RecordPump pump;
    private MessageConsumer<JsonObject> local;

    public AlertEventRelay(ClusterConfig config, ClusterMetrics metrics) {
        this.config = Objects.requireNonNull(config, "config");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.origin = config.nodeId() + "/" + UUID.randomUUID();
        this.originBytes = origin.getBytes(StandardCharsets.UTF_8);
    }

    /** Deployment options for this relay: one instance per node. */
    public static DeploymentOptions options() {
        return new DeploymentOptions().setInstances(1);
    }

    @Override
    public Future<?> start() {
        String topic = config.alertEventsTopic();
        // Creating Kafka clients resolves hosts and reads files: not on the event loop.
        return vertx.executeBlocking(() -> {
            sender = new RecordSender(KafkaClients.producer(config, "alert-events"), "vigil-kafka-alert-sender");
            String group = config.topicPrefix() + "feeds." + config.nodeId() + "." + UUID.randomUUID();
            pump = new RecordPump(KafkaClients.consumer(config, "alert-events", group, true), List.of(topic),
                    this::relay, new Ownership(), RecordPump.Offsets.REMEMBERED, "vigil-kafka-alert-events").start();
            return null;
        }).compose(v -> {
            local = vertx.eventBus().consumer(Addresses.ALERT_CHANGED, this::send);
            return local.completion();
        }).compose(v -> Future.fromCompletionStage(
                pump.ready().orTimeout(READY_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS),
                context)).onSuccess(v -> LOG.info("Relaying alert events through Kafka [topic: {}, origin: {}]",
                        topic, origin));
    }

    /** A local event: to Kafka, unless it came from there. */
    private void send(Message<JsonObject> message) {
        if (message.headers().contains(ORIGIN)) {
            return;
        }
        JsonObject event = message.body();
        JsonObject alert = event.getJsonObject("alert");
        Long alertId = alert == null ? null : alert.getLong("id");
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(config.alertEventsTopic(),
                alertId == null ? null : alertId.toString(), event.toBuffer().getBytes());
        record.headers().add(ORIGIN, originBytes);
        sender.send(record).whenComplete((metadata, error) -> {
            if (error == null) {
                metrics.eventSent();
            } else {
                metrics.eventSendFailed();
                LOG.warn("Alert event not sent to other nodes [alert: {}, change: {}]: {}", alertId,
                        event.getString("change"), error.toString());
            }
        });
    }

    /** Events read from Kafka, on the pump's thread: other nodes' to the local bus. */
    private void relay(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> record : records) {
            Header header = record.headers().lastHeader(ORIGIN);
            String from = header == null ? "unknown" : new String(header.value(), StandardCharsets.UTF_8);
            if (origin.equals(from)) {
                metrics.ownEventSkipped();
                continue;
            }
            JsonObject event;
            try {
                event = new JsonObject(Buffer.buffer(record.value()));
            } catch (RuntimeException e) {
                LOG.warn("Unreadable alert event skipped [partition: {}, offset: {}, origin: {}]", record.partition(),
                        record.offset(), from);
                continue;
            }
            vertx.eventBus().publish(Addresses.ALERT_CHANGED, event, new DeliveryOptions().addHeader(ORIGIN, from));
            metrics.eventRelayed();
        }
    }

    /** Keeps the owned-partition gauge true; runs on the pump's thread. */
    private final class Ownership implements RecordPump.AssignmentListener {
        @Override
        public void assigned(Collection<TopicPartition> partitions) {
            owned.addAll(partitions);
            metrics.rebalanced(CONSUMER, owned.size());
        }

        @Override
        public void revoked(Collection<TopicPartition> partitions) {
            owned.removeAll(partitions);
            metrics.rebalanced(CONSUMER, owned.size());
        }
    }

    @Override
    public Future<?> stop() {
        Future<Void> unregistered = local == null ? Future.succeededFuture() : local.unregister();
        // Closing waits for the pump's thread and the producer's acknowledgements: not on the event loop.
        return unregistered.transform(ar -> vertx.executeBlocking(() -> {
            if (pump != null) {
                pump.close();
            }
            if (sender != null) {
                sender.close();
            }
            return null;
        }));
    }
}
