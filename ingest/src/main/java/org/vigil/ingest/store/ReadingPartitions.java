package org.vigil.ingest.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one partition per UTC day of the plain-PostgreSQL readings table, covering every day a reading
 * may still arrive for. (TimescaleDB creates its chunks itself.) Creating a partition that exists is a
 * no-op, so every node may run this.
 */
public final class ReadingPartitions {

    private static final Logger LOG = LoggerFactory.getLogger(ReadingPartitions.class);
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.BASIC_ISO_DATE;

    private ReadingPartitions() {
    }

    /** Creates the missing daily partitions from {@code first} to {@code last}, inclusive; returns how many. */
    public static int ensure(Connection c, LocalDate first, LocalDate last) throws SQLException {
        int created = 0;
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
                String name = "reading_" + day.format(SUFFIX);
                if (exists(s, name)) {
                    continue;
                }
                try {
                    s.execute("CREATE TABLE " + name + " PARTITION OF reading FOR VALUES FROM ('" + day
                            + " 00:00:00+00') TO ('" + day.plusDays(1) + " 00:00:00+00')");
                    created++;
                } catch (SQLException e) {
                    // Another node created it, or rows for that day sit in the default partition.
                    LOG.warn("Cannot create partition {}: {}", name, e.getMessage());
                }
            }
        } finally {
            c.setAutoCommit(autoCommit);
        }
        return created;
    }

    private static boolean exists(Statement s, String table) throws SQLException {
        try (var rs = s.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
