package org.vigil.ingest.payload;

import java.util.Locale;

/**
 * Why ingest turned a value or a message away. Client errors only: counted (metric tag {@code reason})
 * and logged at DEBUG; the valid values around a rejected one are still stored.
 */
public enum Rejection {
    /**
     * The payload is not JSON (a syntax error ends it; the entries before are kept), or its top level is not an
     * object or an array of them (counted once per message).
     */
    MALFORMED,
    /** An array entry that is not an object, or an entry whose {@code values} is missing or not an object. */
    BAD_ENTRY,
    /** A metric name Vigil does not know. */
    UNKNOWN_METRIC,
    /** A value that is not a finite JSON number ({@code NaN}, {@code Infinity}, an overflow, text, null...). */
    NOT_A_NUMBER,
    /** A value outside the metric's physiological range. */
    IMPLAUSIBLE,
    /** A unit the metric cannot be converted from. */
    UNKNOWN_UNIT,
    /** A glucose measurement context that is not one Vigil knows (the entry's glucose values). */
    UNKNOWN_CONTEXT,
    /**
     * A {@code ts} that is neither epoch milliseconds (in the range of a long) nor an ISO-8601 instant (all values
     * of that entry).
     */
    BAD_TIMESTAMP,
    /** A field given twice in one entry: {@code ts} (all its values), a metric or its unit (that metric's values). */
    AMBIGUOUS,
    /** Measured longer ago than the acceptance window allows. */
    TOO_OLD,
    /** Measured in the future beyond the allowed clock skew. */
    IN_FUTURE,
    /** Measured at a time the device was bound to no patient (before or between bindings). */
    UNBOUND,
    /** Values past the per-message limit. */
    TOO_MANY_READINGS,
    /** Published to a topic other than the device's own (counted per message). */
    WRONG_TOPIC,
    /** The message exceeded the maximum size (counted per message). */
    OVERSIZED,
    /** The server could not buffer the message and refused it (counted per message). */
    OVERLOADED,
    /** The device published faster than its allowed rate (counted per message). */
    RATE_LIMITED,
    /** The node was shutting down and left the message to be resent elsewhere (counted per message). */
    SHUTTING_DOWN;

    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
