package org.vigil.alerting.evaluation;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode: the tail of a dead ingest stream (committed, acknowledged to its devices, never handed to the
 * readings topic because its node died first) is read from storage in log order and handed over page by page, as
 * its node would have; each stream is one unit of the sweep's work. A page's position is its last reading's, so
 * the owners' {@link PatientLoader#seen} tells it from what they already had. The paging is
 * {@link Handoff#handOverStored}, which also reads back the ranges a live stream spilled during a Kafka outage.
 *
 * <p>Confined to the alerting verticle's event loop; reads run on workers.
 */
final class TailHandoff implements EvaluationResume.Tails {

    private static final Logger LOG = LoggerFactory.getLogger(TailHandoff.class);

    private final Handoff handoff;
    private EvaluationResume resume;

    TailHandoff(Handoff handoff) {
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
            // A dead stream grows no more: everything above its cursor, from the start.
            handoff.handOverStored(stream, Long.MIN_VALUE, () -> Long.MAX_VALUE, () -> since, new Handoff.StoredEnd() {
                @Override
                public void done(long through, int handed) {
                    if (handed > 0) {
                        LOG.info("Handed {} readings of stopped ingest stream {} to the readings topic", handed,
                                stream);
                    }
                    resume.unitDone(stream, true);
                }

                @Override
                public void failed(long through, Throwable cause) {
                    LOG.warn("Tail of stopped ingest stream {} not read: {}", stream, cause.toString());
                    resume.unitDone(stream, false);
                }
            });
        }
    }
}
