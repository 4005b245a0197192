package org.vigil.common.bus;

/**
 * How ingest log positions are numbered (migration V12): stream {@code id} owns the positions
 * {@code id * 2^32 + 1} to {@code id * 2^32 + 2^32 - 1}, so a position names its stream and positions grow
 * with time across streams, which is what lets a block-range index find a stream's tail.
 */
public final class LogStreams {

    /**
     * First key of the two-key advisory lock a stream's writer holds, {@code pg_advisory_lock(LOCK_CLASS, id)}:
     * kept apart from any other use of advisory locks in the same database.
     */
    public static final int LOCK_CLASS = 1986;

    private LogStreams() {
    }

    /** The position just below a stream's first reading: its cursor when nothing of it is evaluated yet. */
    public static long streamStart(long stream) {
        return stream << 32;
    }

    /** The last position a stream may give out. */
    public static long streamEnd(long stream) {
        return (stream << 32) | 0xFFFF_FFFFL;
    }

    /** The stream a position belongs to. */
    public static long streamOf(long position) {
        return position >>> 32;
    }
}
