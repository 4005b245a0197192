package org.vigil.alerting.evaluation;

import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.store.EvaluationLog;
import org.vigil.common.bus.ReadingBatch;
import org.vigil.common.model.Reading;

/**
 * Cluster mode: the tail of a dead ingest stream (committed, acknowledged to its devices, never handed to the
 * readings topic because its node died first) is read from storage in log order and handed over page by page, as
 * its node would have; each stream is one unit of the sweep's work. A page's position is its last reading's, so
 * the owners' {@link PatientLoader#seen} tells it from what they already had.
 *
 * <p>Confined to the alerting verticle's event loop; reads run on workers.
 */
final class TailHandoff implements EvaluationResume.Tails {

    private static final Logger LOG = LoggerFactory.getLogger(TailHandoff.class);
    static final int PAGE = 2_000;

    private final Vertx vertx;
    private final EvaluationLog log;
    private final Handoff handoff;
    private EvaluationResume resume;

    TailHandoff(Vertx vertx, EvaluationLog log, Handoff handoff) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.log = Objects.requireNonNull(log, "log");
        this.handoff = Objects.requireNonNull(handoff, "handoff");
    }

    /** Where each stream's end is reported. */
    void reportTo(EvaluationResume resume) {
        this.resume = resume;
    }

    @Override
    public Set<Long> find(List<Long> streams, Instant since) {
        return new LinkedHashSet<>(streams);
    }

    @Override
    public void resume(List<Long> streams, Set<Long> units, Instant since) {
        for (long stream : units) {
            page(stream, Long.MIN_VALUE, since, 0);
        }
    }

    private void page(long stream, long after, Instant since, int handed) {
        vertx.executeBlocking(() -> log.tailReadings(stream, after, since, PAGE), false).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("Tail of stopped ingest stream {} not read: {}", stream, ar.cause().toString());
                resume.unitDone(stream, false);
                return;
            }
            List<EvaluationLog.LoggedReading> page = ar.result();
            if (page.isEmpty()) {
                if (handed > 0) {
                    LOG.info("Handed {} readings of stopped ingest stream {} to the readings topic", handed, stream);
                }
                resume.unitDone(stream, true);
                return;
            }
            List<Reading> readings = new ArrayList<>(page.size());
            page.forEach(r -> readings.add(r.reading()));
            long last = page.get(page.size() - 1).position();
            handoff.send(new ReadingBatch(stream, last, readings),
                    () -> page(stream, last, since, handed + readings.size()));
        });
    }
}
