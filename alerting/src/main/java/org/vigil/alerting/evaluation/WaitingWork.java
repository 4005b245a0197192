package org.vigil.alerting.evaluation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.vigil.common.model.Reading;

/**
 * The work that waits for one patient's load, in arrival order: readings (her part of a handed-over batch) and
 * doctors' resolutions. Pure; confined to the alerting verticle's event loop like the {@link PatientLoader}.
 */
final class WaitingWork {

    /**
     * Readings with the log position of the newest and the batch part they belong to, or (readings null) a resolution
     * of {@code resolvedRule}.
     */
    private record Item(List<Reading> readings, long stream, long position, Instant receivedAt, String resolvedRule,
                        EvaluationProgress.Batch part) {
    }

    private final List<Item> items = new ArrayList<>();

    /** @param position the log position in {@code stream} of the batch's newest reading (in cluster mode, of hers) */
    void readings(List<Reading> readings, long stream, long position, Instant receivedAt,
                  EvaluationProgress.Batch part) {
        items.add(new Item(readings, stream, position, receivedAt, null, part));
    }

    void resolved(String rule) {
        items.add(new Item(null, 0, 0, null, rule, null));
    }

    /** How many handed-over pieces wait. */
    int size() {
        return items.size();
    }

    /** Every waiting reading: they are stored already, so they are in the history her load reads. */
    List<Reading> readings() {
        List<Reading> all = new ArrayList<>();
        for (Item item : items) {
            if (item.readings() != null) {
                all.addAll(item.readings());
            }
        }
        return all;
    }

    /** A stream's position up to which readings are evaluated already. */
    interface Held {
        boolean holds(long stream, long position);
    }

    /** Hands the work over in arrival order, but for readings up to a position {@code held} says are evaluated. */
    void replay(BiConsumer<List<Reading>, Instant> readings, Consumer<String> resolution, Held held) {
        for (Item item : items) {
            if (item.readings() != null) {
                if (!held.holds(item.stream(), item.position())) {
                    readings.accept(item.readings(), item.receivedAt());
                }
            } else {
                resolution.accept(item.resolvedRule());
            }
        }
    }

    /** The waiting batch parts are evaluated (or given up on), their signals queued. */
    void partsEnded(EvaluationProgress progress) {
        for (Item item : items) {
            if (item.part() != null) {
                progress.partEvaluated(item.part());
            }
        }
    }
}
