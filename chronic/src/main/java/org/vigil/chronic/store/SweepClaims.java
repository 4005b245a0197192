package org.vigil.chronic.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Who sweeps control status in a period, when several nodes share the database: the first node to claim a period
 * sweeps it, and only that node may claim it again. A sweep is idempotent (each patient's status is written under
 * her lock), so this saves the work of the other nodes; it does not guard correctness. Blocking: call from a worker.
 */
public final class SweepClaims {

    private static final String CLAIM = """
            INSERT INTO chronic_sweep (period_start, node, claimed_at) VALUES (?, ?, ?)
            ON CONFLICT (period_start) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
             WHERE chronic_sweep.node = EXCLUDED.node""";

    private final DataSource dataSource;

    public SweepClaims(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Whether {@code node} sweeps the period starting at {@code periodStart}: it claimed it now or before. */
    public boolean claim(Instant periodStart, String node, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(CLAIM)) {
            ps.setTimestamp(1, Timestamp.from(periodStart));
            ps.setString(2, node);
            ps.setTimestamp(3, Timestamp.from(now));
            return ps.executeUpdate() == 1;
        }
    }
}
