package org.vigil.db.migration;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * On TimescaleDB, an hourly continuous aggregate per patient and metric (count, mean, min, max) for
 * trend views over months without scanning raw rows. Continuous aggregates cannot be created inside a
 * transaction, hence the non-transactional migration. On plain PostgreSQL there is nothing to do: the
 * trend queries read the partitioned table directly.
 */
public class V4__ReadingHourly extends BaseJavaMigration {

    @Override
    public boolean canExecuteInTransaction() {
        return false;
    }

    @Override
    public void migrate(Context context) throws SQLException {
        try (Statement s = context.getConnection().createStatement()) {
            try (ResultSet rs = s.executeQuery(
                    "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')")) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return;
                }
            }
            s.execute("""
                    CREATE MATERIALIZED VIEW reading_hourly WITH (timescaledb.continuous) AS
                    SELECT patient_id, metric, time_bucket(INTERVAL '1 hour', ts) AS bucket,
                           count(*) AS readings, avg(value) AS mean, min(value) AS min, max(value) AS max
                      FROM reading
                     GROUP BY patient_id, metric, bucket
                    WITH NO DATA""");
            s.execute("""
                    SELECT add_continuous_aggregate_policy('reading_hourly',
                        start_offset => INTERVAL '30 days', end_offset => INTERVAL '1 hour',
                        schedule_interval => INTERVAL '30 minutes')""");
        }
    }
}
