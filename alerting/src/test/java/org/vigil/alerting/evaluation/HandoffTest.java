package org.vigil.alerting.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.EvaluationLog.LoggedReading;
import org.vigil.common.bus.Addresses;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.bus.ReadingBatchCodec;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;
import org.vigil.common.testing.Poll;

/**
 * The hand-off through a Kafka outage, with a real event bus: the brokers' side is a consumer of
 * {@code vigil.readings.handoff} that refuses while they are "away". What waits in memory stays bounded, nothing
 * stored is left out, each patient's readings reach the topic in log order, and the cursor passes only what the
 * brokers acknowledged.
 */
@Timeout(60)
class HandoffTest {

    private static final long STREAM = 7L << 32;
    private static final int BOUND = 20;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AlertingMetrics metrics = new AlertingMetrics(registry);
    private final EvaluationProgress progress = new EvaluationProgress();
    /** What ingest stored, by position: the log the spilled ranges are read back from. */
    private final ConcurrentSkipListMap<Long, Reading> log = new ConcurrentSkipListMap<>();
    /** What the brokers acknowledged, in order. */
    private final List<ReadingBatch> topic = new CopyOnWriteArrayList<>();
    private final AtomicBoolean brokersAway = new AtomicBoolean();
    private final AtomicBoolean brokersSlow = new AtomicBoolean();
    /** Requests slow brokers have not answered yet. */
    private final List<Message<ReadingBatch>> slow = new CopyOnWriteArrayList<>();
    private final Map<Long, Long> cursor = new HashMap<>();
    private Vertx vertx;
    private Handoff handoff;
    private long position = STREAM;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        vertx.eventBus().registerDefaultCodec(ReadingBatch.class, new ReadingBatchCodec());
        vertx.eventBus().<ReadingBatch>consumer(Addresses.READINGS_HANDOFF, this::broker).completion()
                .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        onLoop(() -> handoff = new Handoff(vertx, progress, metrics, this::readBack, () -> Instant.EPOCH, BOUND));
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private void broker(Message<ReadingBatch> msg) {
        if (brokersAway.get()) {
            msg.fail(503, "brokers away");
        } else if (brokersSlow.get()) {
            slow.add(msg);
        } else {
            topic.add(msg.body());
            msg.reply(null);
        }
    }

    private List<LoggedReading> readBack(long stream, long after, Instant since, int limit) {
        List<LoggedReading> page = new ArrayList<>();
        for (Map.Entry<Long, Reading> e : log.tailMap(after, false).entrySet()) {
            if (page.size() == limit) {
                break;
            }
            page.add(new LoggedReading(e.getKey(), e.getValue()));
        }
        return page;
    }

    /** Ingest stores a batch of one reading for each patient, and announces it. */
    private void store(long... patients) throws Exception {
        List<Reading> readings = new ArrayList<>();
        for (long patient : patients) {
            Reading r = new Reading(100 + patient, patient, Metric.SYSTOLIC_BP, position, 120 + position % 50);
            log.put(++position, r);
            readings.add(r);
        }
        ReadingBatch batch = new ReadingBatch(STREAM, position, readings);
        onLoop(() -> handoff.stored(batch));
    }

    private void onLoop(Runnable action) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            action.run();
            done.complete(null);
        });
        done.get(5, TimeUnit.SECONDS);
    }

    private long cursorNow() throws Exception {
        onLoop(() -> progress.takeMoved().forEach((s, p) -> cursor.merge(s, p, Math::max)));
        return cursor.getOrDefault(STREAM, -1L);
    }

    /** Positions each patient's readings reached the topic with, in topic order. */
    private Map<Long, List<Long>> handedOver() {
        Map<Long, List<Long>> byPatient = new HashMap<>();
        for (ReadingBatch b : topic) {
            for (Reading r : b.readings()) {
                byPatient.computeIfAbsent(r.patientId(), k -> new ArrayList<>()).add(r.measuredAt());
            }
        }
        return byPatient;
    }

    @Test
    void throughAnOutageMemoryStaysBoundedAndEveryReadingArrivesInOrder() throws Exception {
        store(1, 2);
        // The topic holds the batch a moment before the acknowledgement moves the cursor: wait for both.
        Poll.until("first batch acknowledged", java.time.Duration.ofSeconds(5),
                () -> topic.size() == 1 && cursorNow() == STREAM + 2);
        assertThat(cursorNow()).isEqualTo(STREAM + 2);

        brokersAway.set(true);
        for (int i = 0; i < 200; i++) {
            store(1, 2, 3);
        }
        assertThat(registry.get(AlertingMetrics.HANDOFF_PENDING).gauge().value())
                .as("batches held while the brokers are away: the failing stream spills at once")
                .isLessThanOrEqualTo(BOUND);
        // Until the first refusal comes back, batches go out while fewer than BOUND readings wait: 7 of 3 at most.
        assertThat(registry.get(AlertingMetrics.HANDOFF_SPILLED).counter().count())
                .isGreaterThanOrEqualTo(600 - 21);
        assertThat(cursorNow()).as("the cursor stays below what the brokers have not taken").isEqualTo(STREAM + 2);

        brokersAway.set(false);
        // The failed batch goes through on its next try; then the spilled range is read back, page by page.
        Poll.until("the spilled range handed over", java.time.Duration.ofSeconds(30),
                () -> topic.stream().mapToInt(b -> b.readings().size()).sum() >= 602);
        store(4);
        Poll.until("batches go straight on again", java.time.Duration.ofSeconds(10),
                () -> handedOver().containsKey(4L));
        Poll.until("the cursor passes everything", java.time.Duration.ofSeconds(10),
                () -> cursorNow() == position);

        Map<Long, List<Long>> byPatient = handedOver();
        List<Long> stored = new ArrayList<>(log.values().stream().filter(r -> r.patientId() == 3)
                .map(Reading::measuredAt).toList());
        assertThat(byPatient.get(3L)).as("every reading of patient 3, in log order, none twice")
                .containsExactlyElementsOf(stored);
        assertThat(byPatient.get(1L)).isSorted().doesNotHaveDuplicates().hasSize(201);
        assertThat(registry.get(AlertingMetrics.HANDOFF_PENDING).gauge().value()).isZero();
    }

    @Test
    void whileTheBrokersAreSlowBeyondTheBoundFurtherBatchesSpill() throws Exception {
        brokersSlow.set(true);
        for (int i = 0; i < 30; i++) {
            store(1);
        }
        Poll.until("the bound reached", java.time.Duration.ofSeconds(5), () -> slow.size() == BOUND);
        assertThat(registry.get(AlertingMetrics.HANDOFF_PENDING).gauge().value()).isEqualTo(BOUND);
        assertThat(registry.get(AlertingMetrics.HANDOFF_SPILLED).counter().count()).isEqualTo(10);

        brokersSlow.set(false);
        for (Message<ReadingBatch> m : slow) {
            topic.add(m.body());
            m.reply(null);
        }
        Poll.until("the cursor passes everything", java.time.Duration.ofSeconds(10),
                () -> cursorNow() == position);
        assertThat(handedOver().get(1L)).as("all 30, in log order, none twice")
                .containsExactlyElementsOf(log.values().stream().map(Reading::measuredAt).toList());
        assertThat(registry.get(AlertingMetrics.HANDOFF_FAILURES).counter().count()).isZero();
    }

    @Test
    void batchesRefusedTogetherAreTriedAgainInLogOrder() throws Exception {
        brokersSlow.set(true);
        for (int i = 0; i < 4; i++) {
            store(1);
        }
        Poll.until("four batches out", java.time.Duration.ofSeconds(5), () -> slow.size() == 4);
        store(1);
        assertThat(registry.get(AlertingMetrics.HANDOFF_SPILLED).counter().count())
                .as("nothing refused yet: the fifth goes out too").isZero();
        Poll.until("five batches out", java.time.Duration.ofSeconds(5), () -> slow.size() == 5);
        // The brokers give up on them newest first, as a producer's expiring batches may come back in any order.
        brokersSlow.set(false);
        for (int i = slow.size() - 1; i >= 0; i--) {
            slow.get(i).fail(503, "expired");
        }
        Poll.until("the cursor passes everything", java.time.Duration.ofSeconds(10), () -> cursorNow() == position);
        assertThat(handedOver().get(1L)).as("retried oldest first: the patient's readings in log order")
                .containsExactlyElementsOf(log.values().stream().map(Reading::measuredAt).toList());
        assertThat(registry.get(AlertingMetrics.HANDOFF_FAILURES).counter().count()).isEqualTo(5);
    }

    @Test
    void quickBrokersTakeEveryBatchAsItComes() throws Exception {
        for (int i = 0; i < 30; i++) {
            store(i);
        }
        Poll.until("all stored batches handed over", java.time.Duration.ofSeconds(10),
                () -> topic.size() == 30 && cursorNow() == position);
        assertThat(registry.get(AlertingMetrics.HANDOFF_SPILLED).counter().count()).isZero();
        assertThat(cursorNow()).isEqualTo(position);
    }
}
