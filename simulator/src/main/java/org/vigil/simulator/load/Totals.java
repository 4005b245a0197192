package org.vigil.simulator.load;

import java.util.EnumMap;
import java.util.Map;

/**
 * Counters summed over all lanes at one moment.
 *
 * @param offered               messages the profile or the schedules made due
 * @param sent                  messages published (duplicates included)
 * @param acknowledged          PUBACKs received plus QoS 0 messages written
 * @param pubacks               PUBACKs received
 * @param qos0Sent              messages sent at QoS 0
 * @param readingsSent          values in the published messages (duplicates and malformed payloads excluded)
 * @param readingsAcknowledged  values in acknowledged QoS 1 messages
 * @param duplicates            messages sent a second time on purpose
 * @param malformed             garbled payloads sent on purpose
 * @param bufferedUploads       uploads of readings buffered while offline
 * @param connects              successful connections (reconnections included)
 * @param inFlight              QoS 1 messages awaiting PUBACK
 * @param connected             open connections
 * @param errors                errors by kind
 */
public record Totals(long offered, long sent, long acknowledged, long pubacks, long qos0Sent, long readingsSent,
        long readingsAcknowledged, long duplicates, long malformed, long bufferedUploads, long connects, long inFlight,
        long connected, Map<ErrorKind, Long> errors) {

    public Totals {
        errors = Map.copyOf(errors);
    }

    /** Errors of every kind. */
    public long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    static Totals of(Iterable<LaneStats> lanes) {
        long offered = 0, sent = 0, acked = 0, pubacks = 0, qos0 = 0, readings = 0, readingsAcked = 0, dup = 0, bad = 0,
                buffered = 0, connects = 0, inFlight = 0, connected = 0;
        Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
        for (LaneStats s : lanes) {
            // Outcomes before sends: a message acknowledged between the reads never shows more acked than sent.
            acked += s.acknowledged.sum();
            pubacks += s.pubacks.sum();
            readingsAcked += s.readingsAcknowledged.sum();
            for (ErrorKind k : ErrorKind.values()) {
                errors.merge(k, s.errors(k), Long::sum);
            }
            sent += s.sent.sum();
            offered += s.offered.sum();
            qos0 += s.qos0Sent.sum();
            readings += s.readingsSent.sum();
            dup += s.duplicates.sum();
            bad += s.malformed.sum();
            buffered += s.bufferedUploads.sum();
            connects += s.connects.sum();
            inFlight += s.inFlight.sum();
            connected += s.connected.sum();
        }
        errors.values().removeIf(v -> v == 0);
        return new Totals(offered, sent, acked, pubacks, qos0, readings, readingsAcked, dup, bad, buffered, connects,
                Math.max(0, inFlight), Math.max(0, connected), errors);
    }
}
