package org.vigil.alerting.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Rows of the care-team registry for integration tests, written by SQL the way the V7 schema has them:
 * organisations in a county → township → village tree, doctors, teams with members, patients under contract.
 */
public final class CareTree {

    private final DataSource dataSource;

    public CareTree(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** An organisation under {@code parentId} (or a root when {@code null}), with its id path. */
    public long organisation(String name, String tier, Long parentId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            long id;
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO organisation (name, tier, parent_id, path) VALUES (?, ?, ?, '') RETURNING id")) {
                ps.setString(1, name);
                ps.setString(2, tier);
                ps.setObject(3, parentId);
                id = single(ps);
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE organisation o SET path = COALESCE((SELECT p.path FROM organisation p WHERE p.id = o.parent_id), '/')
                                                     || o.id || '/'
                     WHERE o.id = ?""")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
            return id;
        }
    }

    public long doctor(String name, long organisationId) throws SQLException {
        return insert("INSERT INTO doctor (name, organisation_id) VALUES (?, ?) RETURNING id", name, organisationId);
    }

    /** A team of the organisation with the given doctors as members. */
    public long team(String name, long organisationId, long... doctorIds) throws SQLException {
        long team = insert("INSERT INTO team (name, organisation_id) VALUES (?, ?) RETURNING id", name, organisationId);
        for (long doctor : doctorIds) {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps = c.prepareStatement("INSERT INTO team_member (team_id, doctor_id) VALUES (?, ?)")) {
                ps.setLong(1, team);
                ps.setLong(2, doctor);
                ps.executeUpdate();
            }
        }
        return team;
    }

    /** A patient with the given conditions and a contract, valid since yesterday, with the team and doctor. */
    public long patient(String name, long teamId, long doctorId, String... conditions) throws SQLException {
        long patient = patientWithoutContract(name, conditions);
        insert("""
                INSERT INTO contract (patient_id, team_id, doctor_id, valid_from, created_by)
                VALUES (?, ?, ?, now() - interval '1 day', 'test') RETURNING id""", patient, teamId, doctorId);
        return patient;
    }

    public long patientWithoutContract(String name, String... conditions) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO patient (name, conditions) VALUES (?, ?) RETURNING id")) {
            ps.setString(1, name);
            ps.setArray(2, c.createArrayOf("text", conditions));
            return single(ps);
        }
    }

    private long insert(String sql, Object... params) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return single(ps);
        }
    }

    private static long single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("no row returned");
            }
            return rs.getLong(1);
        }
    }
}
