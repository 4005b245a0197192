package org.vigil.cluster.evaluation;

import io.micrometer.core.instrument.Tags;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.cluster.config.ClusterConfig;
import org.vigil.cluster.kafka.KafkaClients;
import org.vigil.cluster.kafka.ReadingRecords;
import org.vigil.cluster.kafka.RecordSender;
import org.vigil.cluster.metrics.ClusterMetrics;
import org.vigil.common.bus.Addresses;
import org.vigil.common.bus.ReadingBatch;

/**
 * Hands stored readings to evaluation across the cluster: each {@link ReadingBatch} sent to
 * {@link Addresses#READINGS_HANDOFF} becomes one record per patient on the readings topic
 * ({@link ReadingRecords#byPatient}, keyed by patient), and the request is answered, with no body, only once the
 * brokers acknowledged every one of them ({@code acks=all}, idempotent producer), or failed with
 * {@link #NOT_HANDED_OFF} when any was not taken: the sender keeps the batch and tries again (records already
 * written are then written twice, which the evaluator's idempotent application absorbs).
 *
 * <p>Runs on every node in cluster mode, whatever its roles. It never blocks its event loop: the producer is fed
 * from a thread of its own ({@link RecordSender}), and the reply is made on this verticle's context.
 */
public final class ReadingHandoff extends VerticleBase {

    /** The failure code of a hand-off that Kafka did not acknowledge in full. */
    public static final int NOT_HANDED_OFF = 503;
    /** The failure code of a request whose body is no {@link ReadingBatch}. */
    public static final int BAD_REQUEST = 400;

    private static final Logger LOG = LoggerFactory.getLogger(ReadingHandoff.class);

    private final ClusterConfig config;
    private final ClusterMetrics metrics;
    private RecordSender sender;
    private MessageConsumer<Object> consumer;

    public ReadingHandoff(ClusterConfig config, ClusterMetrics metrics) {
        this.config = Objects.requireNonNull(config, "config");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** One instance per node: one producer keeps each patient's records in the order their batches came. */
    public static DeploymentOptions options() {
        return new DeploymentOptions().setInstances(1);
    }

    @Override
    public Future<?> start() {
        // Creating a Kafka client resolves hosts and reads files: not on the event loop.
        return vertx.executeBlocking(() -> {
            sender = new RecordSender(KafkaClients.producer(config, "readings", 20), "vigil-kafka-readings-sender");
            metrics.bind(sender.meters(Tags.of("relay", ReadingEvaluator.RELAY)));
            return null;
        }).compose(v -> {
            consumer = vertx.eventBus().consumer(Addresses.READINGS_HANDOFF, this::handOff);
            return consumer.completion();
        }).onFailure(e -> stop());
    }

    private void handOff(Message<Object> message) {
        if (!(message.body() instanceof ReadingBatch batch)) {
            message.fail(BAD_REQUEST, "expected a ReadingBatch");
            return;
        }
        if (batch.readings().isEmpty()) {
            message.reply(null);
            return;
        }
        List<ProducerRecord<String, byte[]>> records = ReadingRecords.byPatient(config.readingsTopic(), batch);
        List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>(records.size());
        for (ProducerRecord<String, byte[]> record : records) {
            acks.add(sender.send(record));
        }
        // allOf completes once every record has its outcome, failed if any failed.
        Future.fromCompletionStage(CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)), context)
                .onComplete(ar -> {
                    int failed = (int) acks.stream().filter(CompletableFuture::isCompletedExceptionally).count();
                    metrics.readingsHandedOff(acks.size() - failed);
                    if (failed == 0) {
                        message.reply(null);
                        return;
                    }
                    metrics.readingsHandOffFailed(failed);
                    LOG.warn("Readings not handed off [stream: {}, position: {}, records: {}, failed: {}]: {}",
                            batch.stream(), batch.lastPosition(), acks.size(), failed, ar.cause().toString());
                    message.fail(NOT_HANDED_OFF, "Kafka did not take " + failed + " of " + acks.size()
                            + " records: " + ar.cause().getMessage());
                });
    }

    @Override
    public Future<?> stop() {
        Future<Void> unregistered = consumer == null ? Future.succeededFuture() : consumer.unregister();
        // Closing sends what is queued and waits for the brokers' acknowledgements: not on the event loop.
        return unregistered.transform(ar -> vertx.executeBlocking(() -> {
            if (sender != null) {
                sender.close();
            }
            return null;
        }));
    }
}
