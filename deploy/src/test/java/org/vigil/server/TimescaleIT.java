package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;
import org.vigil.common.db.StorageMode;

/**
 * The TimescaleDB path: the same server on a TimescaleDB container makes the readings table a hypertable
 * with compression and the hourly continuous aggregate. Skipped where no Docker engine runs; the
 * PostgreSQL path is covered by the other integration tests on a real PostgreSQL.
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(300)
class TimescaleIT {

    @Container
    private static final PostgreSQLContainer TIMESCALE = new PostgreSQLContainer(
            DockerImageName.parse("timescale/timescaledb:2.19.3-pg17").asCompatibleSubstituteFor("postgres"));

    @Test
    void readingsLiveInACompressedHypertable() throws Exception {
        Map<String, String> env = new HashMap<>(TestServers.loopback());
        env.put("VIGIL_DB_URL", TIMESCALE.getJdbcUrl());
        env.put("VIGIL_DB_USER", TIMESCALE.getUsername());
        env.put("VIGIL_DB_PASSWORD", TIMESCALE.getPassword());
        env.put("VIGIL_ADMIN_TOKEN", TestServers.TOKEN);
        try (VigilServer server = TestServers.start(env)) {
            assertThat(server.database().storageMode()).isEqualTo(StorageMode.TIMESCALE);
            try (Connection c = server.database().dataSource().getConnection(); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT compression_enabled FROM timescaledb_information.hypertables"
                        + " WHERE hypertable_name = 'reading'")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getBoolean(1)).isTrue();
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM timescaledb_information.continuous_aggregates"
                        + " WHERE view_name = 'reading_hourly'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(1);
                }
            }
        }
    }
}
