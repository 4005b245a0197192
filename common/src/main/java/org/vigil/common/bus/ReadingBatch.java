package org.vigil.common.bus;

import java.util.List;
import org.vigil.common.model.Reading;

/**
 * Readings that were committed to storage together; the unit ingest hands to alerting.
 *
 * @param readings the readings, in the order they were received; immutable
 */
public record ReadingBatch(List<Reading> readings) {

    public ReadingBatch {
        readings = List.copyOf(readings);
    }
}
