package org.vigil.db.migration;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Creates the readings table: a TimescaleDB hypertable when the extension can be loaded, otherwise a
 * PostgreSQL table range-partitioned by day (the partitions themselves are kept ahead of time by
 * ingest). A Java migration because the choice depends on the server, which SQL migrations cannot ask.
 *
 * <p>The table is narrow on purpose: one row a value, metric as a small code. The unique index is both
 * the query path ({@code patient, metric, time}) and the idempotency key, so a redelivered reading is
 * stored once. It includes {@code ts} because every unique index of a partitioned table or hypertable
 * must contain the partitioning column.
 */
public class V2__Readings extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        String mode = context.getConfiguration().getPlaceholders().getOrDefault("timescale", "auto");
        boolean timescale = !"off".equals(mode) && timescaleLoadable(c);
        try (Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE metric (
                        code   smallint PRIMARY KEY,
                        name   text NOT NULL UNIQUE,
                        ucum   text NOT NULL,
                        loinc  text NOT NULL
                    )""");
            s.execute("""
                    INSERT INTO metric (code, name, ucum, loinc) VALUES
                        (1, 'systolic_bp', 'mm[Hg]', '8480-6'),
                        (2, 'diastolic_bp', 'mm[Hg]', '8462-4'),
                        (3, 'heart_rate', '/min', '8867-4'),
                        (4, 'resp_rate', '/min', '9279-1'),
                        (5, 'spo2', '%', '2708-6'),
                        (6, 'glucose', 'mmol/L', '14743-9'),
                        (7, 'body_weight', 'kg', '29463-7'),
                        (8, 'body_temp', 'Cel', '8310-5')""");
            String columns = """
                    (
                        patient_id  bigint           NOT NULL,
                        metric      smallint         NOT NULL,
                        ts          timestamptz      NOT NULL,
                        device_id   bigint           NOT NULL,
                        value       double precision NOT NULL,
                        received_at timestamptz      NOT NULL DEFAULT now()
                    )""";
            if (timescale) {
                s.execute("CREATE EXTENSION IF NOT EXISTS timescaledb");
                s.execute("CREATE TABLE reading " + columns);
                s.execute("SELECT create_hypertable('reading', by_range('ts', INTERVAL '1 day'))");
                s.execute("CREATE UNIQUE INDEX reading_identity ON reading (patient_id, metric, ts, device_id)");
                s.execute("ALTER TABLE reading SET (timescaledb.compress,"
                        + " timescaledb.compress_segmentby = 'patient_id',"
                        + " timescaledb.compress_orderby = 'metric, ts DESC, device_id')");
                s.execute("SELECT add_compression_policy('reading', INTERVAL '14 days')");
            } else {
                s.execute("CREATE TABLE reading " + columns + " PARTITION BY RANGE (ts)");
                s.execute("CREATE UNIQUE INDEX reading_identity ON reading (patient_id, metric, ts, device_id)");
                // Catches a reading whose day has no partition yet, so a batch never fails for want of one.
                s.execute("CREATE TABLE reading_default PARTITION OF reading DEFAULT");
            }
        }
    }

    /** The extension is installed on the server and preloaded, so CREATE EXTENSION will succeed. */
    private static boolean timescaleLoadable(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("""
                        SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
                           AND current_setting('shared_preload_libraries') LIKE '%timescaledb%'""")) {
            return rs.next() && rs.getBoolean(1);
        }
    }
}
