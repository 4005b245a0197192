package org.vigil.alerting.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.common.db.Database;
import org.vigil.common.db.DatabaseConfig;
import org.vigil.common.testing.TestPostgres;

/**
 * Verifies that a database migrated before the migrations moved into their modules still opens: its history
 * names the Java migrations by their old classes in {@code org.vigil.common.db.migration}, and the SQL files by
 * the same names as now.
 */
@Timeout(120)
class MovedMigrationsIT {

    @Test
    void aHistoryWrittenBeforeTheMoveStillValidates() throws Exception {
        DatabaseConfig config = TestPostgres.newDatabase();
        try (Database db = Database.open(config); Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("UPDATE flyway_schema_history SET script = 'org.vigil.common.db.migration.'"
                    + " || substr(script, length('org.vigil.db.migration.') + 1) WHERE type = 'JDBC'"))
                    .as("V2 and V4, the Java migrations").isEqualTo(2);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE type = 'SQL'"
                    + " AND script NOT LIKE 'V%\\_\\_%.sql'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("SQL migrations are recorded by file name alone").isZero();
            }
        }

        try (Database db = Database.open(config); Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE NOT success")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }
}
