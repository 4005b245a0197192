package org.vigil.registry.store;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Small JDBC helpers shared by the registry stores: binding parameters and mapping rows to API JSON. */
final class Rows {

    static final String UNIQUE_VIOLATION = "23505";

    private Rows() {
    }

    interface Mapper {
        JsonObject map(ResultSet rs) throws SQLException;
    }

    /** Binds the parameters in order; {@code null} binds SQL NULL of the right type. */
    static PreparedStatement bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p instanceof Instant instant) {
                ps.setTimestamp(i + 1, Timestamp.from(instant));
            } else if (p == null) {
                ps.setNull(i + 1, Types.NULL);
            } else {
                ps.setObject(i + 1, p);
            }
        }
        return ps;
    }

    static Optional<JsonObject> one(Connection c, String sql, Mapper mapper, Object... params) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(sql), params); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty();
        }
    }

    static List<JsonObject> all(Connection c, String sql, Mapper mapper, Object... params) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(sql), params); ResultSet rs = ps.executeQuery()) {
            List<JsonObject> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(mapper.map(rs));
            }
            return rows;
        }
    }

    /** {@link #one(Connection, String, Mapper, Object...)} on a pooled connection of its own. */
    static Optional<JsonObject> one(javax.sql.DataSource dataSource, String sql, Mapper mapper, Object... params)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return one(c, sql, mapper, params);
        }
    }

    /** {@link #all(Connection, String, Mapper, Object...)} on a pooled connection of its own. */
    static List<JsonObject> all(javax.sql.DataSource dataSource, String sql, Mapper mapper, Object... params)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return all(c, sql, mapper, params);
        }
    }

    /**
     * Validity periods never overlap: a new period may not start before the newest ended one ends. {@code lastEnd}
     * selects that end ({@code max(valid_to)}) for the id; 409 naming {@code field} otherwise.
     */
    static void requireNotBeforeLastEnd(Connection c, String lastEnd, long id, Instant at, String field, String what)
            throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(lastEnd), id); ResultSet rs = ps.executeQuery()) {
            Timestamp end = rs.next() ? rs.getTimestamp(1) : null;
            if (end != null && at.isBefore(end.toInstant())) {
                throw org.vigil.common.http.ApiException.conflict(field, what + " until " + end.toInstant() + "; "
                        + field + " must not be earlier");
            }
        }
    }

    static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = bind(c.prepareStatement(sql), params)) {
            return ps.executeUpdate();
        }
    }

    /** A timestamp as ISO-8601 text; {@code null}, and PostgreSQL's infinities, as absent. */
    static String time(ResultSet rs, String column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        if (ts == null || ts.getTime() == org.postgresql.PGStatement.DATE_NEGATIVE_INFINITY
                || ts.getTime() == org.postgresql.PGStatement.DATE_POSITIVE_INFINITY) {
            return null;
        }
        return ts.toInstant().toString();
    }

    static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    /** Runs work in one transaction on a connection of its own. */
    static <T> T transaction(javax.sql.DataSource dataSource, org.vigil.common.db.Transactions.Work<T> work)
            throws SQLException {
        return org.vigil.common.db.Transactions.run(dataSource, work);
    }
}
