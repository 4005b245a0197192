package org.vigil.common.bus;

import java.util.List;

/**
 * One poll's records of the readings topic (cluster mode), handed to alerting together on
 * {@link Addresses#EVALUATE_READINGS}. Each record is one patient's readings, as a {@link ReadingBatch} whose
 * {@code lastPosition} is the log position of her last reading in it; a partition's records come in offset order,
 * so each patient's come in the order they were stored.
 *
 * @param records the records, immutable
 */
public record PolledRecords(List<ReadingBatch> records) {

    public PolledRecords {
        records = List.copyOf(records);
    }
}
