package org.vigil.chronic.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads a patient's history rows (follow-ups, grade decisions) with one query bound to patient and limit. */
final class PatientRows {

    /** Turns the result set's current row into one item. */
    @FunctionalInterface
    interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private PatientRows() {
    }

    /** The rows {@code sql} selects for {@code ?1 = patientId} and {@code ?2 = limit}, in the query's order. */
    static <T> List<T> list(Connection c, String sql, long patientId, int limit, Row<T> row) throws SQLException {
        List<T> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, patientId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row.read(rs));
                }
            }
        }
        return out;
    }
}
