package org.vigil.cluster.relay;

import io.micrometer.core.instrument.Tags;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
 * Carries announcements between nodes: what a single process publishes on its event bus for every part of itself
 * to hear ({@link #ADDRESSES}: alert events for the live feeds, registry changes for the caches, doctors'
 * resolutions for the engines, devices' new sessions for the take-over of older ones, devices' connects and
 * disconnects for the engine that owns the patient's partition), so every node hears them,
 * whichever node they happened on.
 *
 * <p>This relay listens on those addresses of the local bus and sends each message to the event topic, keyed by the
 * entity it is about (one alert's, device's or doctor's events stay in order), with headers naming the address and
 * this instance's origin. Each node reads the whole topic in a consumer group of its own and publishes the messages
 * of <em>other</em> origins on its local bus, marked as relayed, so local consumers get each once: its own messages
 * it skips (they had them from the local bus), and relayed ones it never sends back.
 *
 * <p>Announcements are live, not a history: a new group starts at the end of the topic, and the origin names the
 * process, not the node, so a restarted node neither replays old events nor takes its predecessor's for its own. The group
 * commits no offsets, so it vanishes with the process; within its lifetime the pump resumes each partition where it
 * left off ({@link RecordPump}), so a rebalance neither repeats nor skips an event. The database stays the record:
 * an event lost on the way (Kafka unreachable, counted) is still in the alert list a feed's page loads.
 */
public final class EventRelay extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(EventRelay.class);
    /** The addresses whose messages every node hears; each body is a JSON object. */
    public static final List<String> ADDRESSES =
            List.of(Addresses.ALERT_CHANGED, Addresses.REGISTRY_CHANGED, Addresses.ALERT_RESOLVED,
                    Addresses.DEVICE_SESSION, Addresses.DEVICE_CONNECTION);
    /** Event-bus and Kafka header naming the process an event was raised in. */
    public static final String ORIGIN = "vigil-origin";
    /** Kafka header naming the event-bus address a record was published on. */
    static final String ADDRESS = "vigil-address";
    /** The consumer's name in metrics. */
    public static final String CONSUMER = "events";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final ClusterConfig config;
    private final ClusterMetrics metrics;
    private final String origin;
    private final byte[] originBytes;
    private final Set<TopicPartition> owned = new HashSet<>();
    private final List<MessageConsumer<JsonObject>> local = new ArrayList<>();
    private RecordSender sender;
    private RecordPump pump;

    public EventRelay(ClusterConfig config, ClusterMetrics metrics) {
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
        String topic = config.eventsTopic();
        // Creating Kafka clients resolves hosts and reads files: not on the event loop.
        return vertx.executeBlocking(() -> {
            sender = new RecordSender(KafkaClients.producer(config, "events"), "vigil-kafka-event-sender");
            String group = config.topicPrefix() + "relay." + config.nodeId() + "." + UUID.randomUUID();
            pump = new RecordPump(KafkaClients.consumer(config, "events", group, true), List.of(topic),
                    this::relay, new Ownership(), RecordPump.Offsets.REMEMBERED, "vigil-kafka-events").start();
            metrics.bind(sender.meters(Tags.of("relay", CONSUMER)));
            metrics.bind(pump.meters(Tags.of("relay", CONSUMER)));
            return null;
        }).compose(v -> {
            List<Future<Void>> registered = new ArrayList<>();
            for (String address : ADDRESSES) {
                MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(address, m -> send(address, m));
                local.add(consumer);
                registered.add(consumer.completion());
            }
            return Future.all(registered);
        }).compose(v -> Future.fromCompletionStage(
                pump.ready().orTimeout(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
                context)).onSuccess(v -> LOG.info("Relaying announcements through Kafka [topic: {}, origin: {}]",
                        topic, origin))
                // A start that failed is never stopped: release the clients here.
                .onFailure(e -> stop());
    }

    /** A local message: to Kafka, unless it came from there. */
    private void send(String address, Message<JsonObject> message) {
        if (message.headers().contains(ORIGIN)) {
            return;
        }
        JsonObject event = message.body();
        String key = key(event);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(config.eventsTopic(), key,
                event.toBuffer().getBytes());
        record.headers().add(ORIGIN, originBytes);
        record.headers().add(ADDRESS, address.getBytes(StandardCharsets.UTF_8));
        sender.send(record).whenComplete((metadata, error) -> {
            if (error == null) {
                metrics.eventSent();
            } else {
                metrics.eventSendFailed();
                LOG.warn("Announcement not sent to other nodes [address: {}, key: {}, change: {}]: {}", address, key,
                        event.getString("change"), error.toString());
            }
        });
    }

    /**
     * The entity a message is about, so its messages keep their order: the alert of an alert event, else the
     * device, patient or doctor a registry change or resolution names.
     */
    static String key(JsonObject event) {
        Object alert = event.getValue("alert");
        if (alert instanceof JsonObject a && a.getValue("id") != null) {
            return "alert:" + a.getValue("id");
        }
        for (String field : List.of("deviceId", "patientId", "doctorId")) {
            Object id = event.getValue(field);
            if (id != null) {
                return field.substring(0, field.length() - 2) + ":" + id;
            }
        }
        return null;
    }

    /** Messages read from Kafka, on the pump's thread: other nodes' to the local bus. */
    private void relay(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> record : records) {
            Header header = record.headers().lastHeader(ORIGIN);
            String from = header == null ? "unknown" : new String(header.value(), StandardCharsets.UTF_8);
            if (origin.equals(from)) {
                metrics.ownEventSkipped();
                continue;
            }
            Header addressHeader = record.headers().lastHeader(ADDRESS);
            String address = addressHeader == null ? Addresses.ALERT_CHANGED
                    : new String(addressHeader.value(), StandardCharsets.UTF_8);
            if (!ADDRESSES.contains(address)) {
                LOG.warn("Announcement for an unknown address skipped [address: {}, origin: {}]", address, from);
                continue;
            }
            JsonObject event;
            try {
                event = new JsonObject(Buffer.buffer(record.value()));
            } catch (RuntimeException e) {
                LOG.warn("Unreadable announcement skipped [partition: {}, offset: {}, origin: {}]", record.partition(),
                        record.offset(), from);
                continue;
            }
            vertx.eventBus().publish(address, event, new DeliveryOptions().addHeader(ORIGIN, from));
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
        Future<?> unregistered = Future.all(local.stream().map(MessageConsumer::unregister).toList());
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
