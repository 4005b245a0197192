package org.vigil.ingest.metrics;

import java.util.List;
import org.vigil.ingest.payload.Rejection;

/** What ingest counts. Implementations must be cheap and thread-safe: they are called on the hot path. */
public interface IngestMetrics {

    /** The reasons a CONNECT is refused for, so each is counted (at 0) from the start. */
    List<String> CONNECT_REFUSAL_REASONS =
            List.of("bad_credentials", "revoked", "unavailable", "too_many_connections", "draining");

    /** A PUBLISH arrived from an authenticated device, whatever becomes of it. */
    void messageReceived();

    /** A message's readings are committed, {@code nanos} after it arrived; its PUBACK is released now. */
    void messageStored(long nanos);

    /** Readings committed to storage. */
    void readingsStored(int count);

    /** Readings not stored because the same device, metric and time already were: redeliveries. */
    void readingsDuplicate(int count);

    void rejected(Rejection reason, int count);

    /** One batch committed: how many readings, how long the transaction took. */
    void batchWritten(int readings, long nanos);

    /** A batch written through the staging table, because it held repeats or followed one that did. */
    void batchStaged();

    /** A batch failed and will be retried (server-side error). */
    void batchFailed();

    /** A CONNECT refused; {@code reason} is one of a few fixed words ({@link #CONNECT_REFUSAL_REASONS}). */
    void connectRefused(String reason);

    /** A connection closed because it stayed silent past the keep-alive limit. */
    void closedSilent();

    /** A connection closed because the device's secret was rotated or the device revoked. */
    void closedForCredentials();

    /** A device's connection stopped being read for a while because the device published faster than its rate. */
    void throttled();

    /** A connection closed because a newer connection of the same device took over. */
    void takenOver();
}
