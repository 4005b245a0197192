package org.vigil.common.db;

/** How the readings table is laid out; chosen once when the schema is created, detected at every start. */
public enum StorageMode {
    /** A TimescaleDB hypertable with compression and an hourly continuous aggregate. */
    TIMESCALE,
    /** A plain PostgreSQL table partitioned by day on measurement time. */
    PARTITIONED
}
