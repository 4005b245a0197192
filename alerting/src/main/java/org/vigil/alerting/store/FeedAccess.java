package org.vigil.alerting.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Which of the tokens that open live feeds were withdrawn: revoked, expired, or their doctor deactivated. Live feeds
 * ask it every heartbeat, so a withdrawal made through a node whose announcement never arrived (another process on
 * the same database) still closes the feed. Blocking: call from a worker.
 */
public final class FeedAccess {

    private static final String WITHDRAWN = """
            SELECT t.id FROM registry_doctor_token t JOIN registry_doctor d ON d.id = t.doctor_id
             WHERE t.id = ANY (?) AND (t.revoked_at IS NOT NULL OR t.expires_at <= ? OR d.deactivated_at IS NOT NULL)""";

    private final DataSource dataSource;

    public FeedAccess(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** The ids among {@code tokenIds} that no longer give access at {@code now}. */
    public Set<Long> withdrawn(Collection<Long> tokenIds, Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(WITHDRAWN)) {
            Array ids = c.createArrayOf("bigint", tokenIds.toArray());
            ps.setArray(1, ids);
            ps.setTimestamp(2, Timestamp.from(now));
            Set<Long> withdrawn = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    withdrawn.add(rs.getLong(1));
                }
            }
            return withdrawn;
        }
    }
}
