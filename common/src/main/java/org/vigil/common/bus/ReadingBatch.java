package org.vigil.common.bus;

import java.util.List;
import org.vigil.common.model.Reading;

/**
 * Readings that were committed to storage together; the unit ingest hands to alerting.
 *
 * <p>Each batch comes from one ingest log stream (one writer connection's life, see migration V12), whose
 * batches are handed over in commit order. Once every reading of a batch is evaluated and the alerts it
 * warranted are recorded, the stream's evaluation cursor may move to {@code lastPosition}; readings above
 * a stream's cursor are evaluated again after a crash.
 *
 * @param stream       the ingest log stream that committed the batch
 * @param lastPosition the highest log position in the batch (positions grow within a stream)
 * @param readings     the readings, in the order they were received; immutable
 */
public record ReadingBatch(long stream, long lastPosition, List<Reading> readings) {

    public ReadingBatch {
        readings = List.copyOf(readings);
    }
}
