package org.vigil.registry.store;

import static org.vigil.registry.store.Rows.all;
import static org.vigil.registry.store.Rows.longOrNull;
import static org.vigil.registry.store.Rows.one;
import static org.vigil.registry.store.Rows.time;
import static org.vigil.registry.store.Rows.transaction;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.http.ApiException;
import org.vigil.registry.model.Tier;

/**
 * Organisations (county hospital → township health centres → village clinics), the doctors who work there,
 * and the family-doctor teams that group them ({@link DoctorAccessStore} keeps doctors' tokens and whether they are
 * active). Blocking: call from a worker thread.
 */
public final class OrganisationStore {

    private static final String ORG_COLUMNS = "o.id, o.name, o.tier, o.parent_id, o.created_at";
    private static final String SELECT_ORG = "SELECT " + ORG_COLUMNS + " FROM organisation o WHERE o.id = ?";
    private static final String LIST_ORGS = "SELECT " + ORG_COLUMNS + """
             FROM organisation o
            WHERE o.id > ? AND (?::bigint IS NULL OR o.parent_id = ?) AND (?::text IS NULL OR o.tier = ?)
            ORDER BY o.id LIMIT ?""";
    private static final String INSERT_ORG = """
            INSERT INTO organisation (name, tier, parent_id, path) VALUES (?, ?, ?, '') RETURNING id""";
    private static final String SET_PATH = """
            UPDATE organisation o SET path = COALESCE((SELECT p.path FROM organisation p WHERE p.id = o.parent_id), '/')
                   || o.id || '/' WHERE o.id = ?""";

    private static final String SELECT_PATH = "SELECT path FROM organisation WHERE id = ? FOR UPDATE";
    /** Moves a subtree: every path under the old prefix gets the new one. */
    private static final String MOVE_SUBTREE = """
            UPDATE organisation SET path = ? || substr(path, length(?) + 1) WHERE path LIKE ? || '%'""";
    private static final String SET_PARENT = "UPDATE organisation SET parent_id = ? WHERE id = ?";
    private static final String DOCTOR_COLUMNS = "d.id, d.name, d.organisation_id, o.tier, d.created_at, d.deactivated_at";
    static final String SELECT_DOCTOR = "SELECT " + DOCTOR_COLUMNS
            + " FROM doctor d JOIN organisation o ON o.id = d.organisation_id WHERE d.id = ?";
    private static final String LIST_DOCTORS = "SELECT " + DOCTOR_COLUMNS + """
             FROM doctor d JOIN organisation o ON o.id = d.organisation_id
            WHERE d.id > ? AND (?::bigint IS NULL OR d.organisation_id = ?) ORDER BY d.id LIMIT ?""";
    private static final String INSERT_DOCTOR = """
            INSERT INTO doctor (name, organisation_id) SELECT ?, o.id FROM organisation o WHERE o.id = ? RETURNING id""";

    private static final String SELECT_TEAM = """
            SELECT t.id, t.name, t.organisation_id, t.created_at,
                   COALESCE(array_agg(m.doctor_id ORDER BY m.doctor_id) FILTER (WHERE m.doctor_id IS NOT NULL), '{}') AS members
              FROM team t LEFT JOIN team_member m ON m.team_id = t.id
             WHERE t.id = ? GROUP BY t.id""";
    private static final String LIST_TEAMS = """
            SELECT t.id, t.name, t.organisation_id, t.created_at,
                   COALESCE(array_agg(m.doctor_id ORDER BY m.doctor_id) FILTER (WHERE m.doctor_id IS NOT NULL), '{}') AS members
              FROM team t LEFT JOIN team_member m ON m.team_id = t.id
             WHERE t.id > ? AND (?::bigint IS NULL OR t.organisation_id = ?)
               AND (?::bigint IS NULL OR EXISTS (SELECT 1 FROM team_member x WHERE x.team_id = t.id AND x.doctor_id = ?))
             GROUP BY t.id ORDER BY t.id LIMIT ?""";
    private static final String INSERT_TEAM = """
            INSERT INTO team (name, organisation_id) SELECT ?, o.id FROM organisation o WHERE o.id = ? RETURNING id""";
    private static final String ADD_MEMBER = "INSERT INTO team_member (team_id, doctor_id) VALUES (?, ?) ON CONFLICT DO NOTHING";
    private static final String REMOVE_MEMBER = "DELETE FROM team_member WHERE team_id = ? AND doctor_id = ?";
    private static final String COUNT_DOCTORS = "SELECT count(*) FROM doctor WHERE id = ANY (?)";
    private static final String RESPONSIBLE_IN_TEAM = """
            SELECT 1 FROM contract WHERE team_id = ? AND doctor_id = ? AND (valid_to IS NULL OR valid_to > now()) LIMIT 1""";

    private final DataSource dataSource;

    public OrganisationStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Creates an organisation. The tree has a fixed shape: a county hospital is a root, a township health centre
     * sits under a county, a village clinic under a township.
     */
    public JsonObject createOrganisation(String name, Tier tier, Long parentId, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            if (parentId == null) {
                if (tier != Tier.COUNTY) {
                    throw ApiException.invalid("parentId", "a " + tier.wireName() + " organisation needs a parent "
                            + tier.parent().wireName() + " organisation");
                }
            } else {
                JsonObject parent = one(c, SELECT_ORG + " FOR UPDATE", OrganisationStore::organisation, parentId)
                        .orElseThrow(() -> new ApiException(404, "not_found", "parentId", "organisation " + parentId + " not found"));
                requireParentTier(tier, parent);
            }
            long id;
            try (PreparedStatement ps = Rows.bind(c.prepareStatement(INSERT_ORG), name, tier.wireName(), parentId);
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
            Rows.update(c, SET_PATH, id);
            AuditLog.append(c, new AuditLog.Event(actor, "organisation.created", "organisation", id, null,
                    AuditLog.detail("name", name, "tier", tier.wireName(), "parentId", parentId)));
            return one(c, SELECT_ORG, OrganisationStore::organisation, id).orElseThrow();
        });
    }

    /**
     * Places an organisation under another (its tier's parent tier), carrying its whole subtree along. This is
     * how organisations carried over from a registry without a tree (each a root) are put in their places.
     */
    public JsonObject moveOrganisation(long id, long parentId, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            JsonObject org = one(c, SELECT_ORG + " FOR UPDATE", OrganisationStore::organisation, id)
                    .orElseThrow(() -> ApiException.notFound("organisation " + id));
            JsonObject parent = one(c, SELECT_ORG, OrganisationStore::organisation, parentId)
                    .orElseThrow(() -> new ApiException(404, "not_found", "parentId", "organisation " + parentId + " not found"));
            Tier tier = Tier.NAMES.find(org.getString("tier"));
            requireParentTier(tier, parent);
            String oldPath = one(c, SELECT_PATH, rs -> new JsonObject().put("p", rs.getString(1)), id).orElseThrow().getString("p");
            String parentPath = one(c, SELECT_PATH, rs -> new JsonObject().put("p", rs.getString(1)), parentId).orElseThrow().getString("p");
            String newPath = parentPath + id + "/";
            Rows.update(c, SET_PARENT, parentId, id);
            Rows.update(c, MOVE_SUBTREE, newPath, oldPath, oldPath);
            AuditLog.append(c, new AuditLog.Event(actor, "organisation.moved", "organisation", id, null,
                    AuditLog.detail("from", org.getLong("parentId"), "to", parentId)));
            return one(c, SELECT_ORG, OrganisationStore::organisation, id).orElseThrow();
        });
    }

    /** A township sits under a county, a village clinic under a township; nothing sits above a county. */
    private static void requireParentTier(Tier tier, JsonObject parent) {
        if (tier.parent() == null || !tier.parent().wireName().equals(parent.getString("tier"))) {
            throw ApiException.invalid("parentId", "a " + tier.wireName() + " organisation cannot sit under a "
                    + parent.getString("tier") + " organisation");
        }
    }

    public Optional<JsonObject> organisation(long id) throws SQLException {
        return one(dataSource, SELECT_ORG, OrganisationStore::organisation, id);
    }

    public List<JsonObject> organisations(Long parentId, String tier, long afterId, int limit) throws SQLException {
        return all(dataSource, LIST_ORGS, OrganisationStore::organisation, afterId, parentId, parentId, tier, tier, limit);
    }

    public JsonObject createDoctor(String name, long organisationId, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            long id = insertInto(c, INSERT_DOCTOR, name, organisationId);
            AuditLog.append(c, new AuditLog.Event(actor, "doctor.created", "doctor", id, null,
                    AuditLog.detail("name", name, "organisationId", organisationId)));
            return one(c, SELECT_DOCTOR, OrganisationStore::doctor, id).orElseThrow();
        });
    }

    public Optional<JsonObject> doctor(long id) throws SQLException {
        return one(dataSource, SELECT_DOCTOR, OrganisationStore::doctor, id);
    }

    public List<JsonObject> doctors(Long organisationId, long afterId, int limit) throws SQLException {
        return all(dataSource, LIST_DOCTORS, OrganisationStore::doctor, afterId, organisationId, organisationId, limit);
    }

    /**
     * Inserts a named row into an organisation (the statement inserts nothing when the organisation does not
     * exist) and returns its id.
     */
    private static long insertInto(Connection c, String insert, String name, long organisationId) throws SQLException {
        try (PreparedStatement ps = Rows.bind(c.prepareStatement(insert), name, organisationId);
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new ApiException(404, "not_found", "organisationId", "organisation " + organisationId + " not found");
            }
            return rs.getLong(1);
        }
    }

    /** Creates a family-doctor team with its first members. */
    public JsonObject createTeam(String name, long organisationId, List<Long> doctorIds, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            long id = insertInto(c, INSERT_TEAM, name, organisationId);
            requireDoctors(c, doctorIds, "doctorIds");
            try (PreparedStatement ps = c.prepareStatement(ADD_MEMBER)) {
                for (long doctorId : doctorIds) {
                    Rows.bind(ps, id, doctorId).addBatch();
                }
                ps.executeBatch();
            }
            AuditLog.append(c, new AuditLog.Event(actor, "team.created", "team", id, null,
                    AuditLog.detail("name", name, "organisationId", organisationId, "doctorIds", doctorIds)));
            return one(c, SELECT_TEAM, OrganisationStore::team, id).orElseThrow();
        });
    }

    public Optional<JsonObject> team(long id) throws SQLException {
        return one(dataSource, SELECT_TEAM, OrganisationStore::team, id);
    }

    public List<JsonObject> teams(Long organisationId, Long doctorId, long afterId, int limit) throws SQLException {
        return all(dataSource, LIST_TEAMS, OrganisationStore::team, afterId, organisationId, organisationId, doctorId,
                    doctorId, limit);
    }

    public JsonObject addMember(long teamId, long doctorId, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            lockTeam(c, teamId);
            requireDoctors(c, List.of(doctorId), "doctorId");
            Rows.update(c, ADD_MEMBER, teamId, doctorId);
            AuditLog.append(c, new AuditLog.Event(actor, "team.member_added", "team", teamId, null,
                    AuditLog.detail("doctorId", doctorId)));
            return one(c, SELECT_TEAM, OrganisationStore::team, teamId).orElseThrow();
        });
    }

    /** Removes a doctor from a team; she cannot leave while she is responsible for one of its contracts. */
    public JsonObject removeMember(long teamId, long doctorId, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            lockTeam(c, teamId);
            if (one(c, RESPONSIBLE_IN_TEAM, rs -> new JsonObject(), teamId, doctorId).isPresent()) {
                throw ApiException.conflict("doctorId", "doctor " + doctorId
                        + " is responsible for contracts of team " + teamId + "; change those contracts first");
            }
            if (Rows.update(c, REMOVE_MEMBER, teamId, doctorId) == 0) {
                throw ApiException.notFound("member " + doctorId + " of team " + teamId);
            }
            AuditLog.append(c, new AuditLog.Event(actor, "team.member_removed", "team", teamId, null,
                    AuditLog.detail("doctorId", doctorId)));
            return one(c, SELECT_TEAM, OrganisationStore::team, teamId).orElseThrow();
        });
    }

    private static void lockTeam(Connection c, long teamId) throws SQLException {
        if (one(c, "SELECT id FROM team WHERE id = ? FOR UPDATE", rs -> new JsonObject(), teamId).isEmpty()) {
            throw ApiException.notFound("team " + teamId);
        }
    }

    private static void requireDoctors(Connection c, List<Long> doctorIds, String field) throws SQLException {
        if (doctorIds.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(COUNT_DOCTORS)) {
            ps.setArray(1, c.createArrayOf("bigint", doctorIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) != doctorIds.size()) {
                    throw new ApiException(404, "not_found", field, "a doctor in " + field + " was not found");
                }
            }
        }
    }

    static JsonObject organisation(ResultSet rs) throws SQLException {
        return new JsonObject()
                .put("id", rs.getLong("id"))
                .put("name", rs.getString("name"))
                .put("tier", rs.getString("tier"))
                .put("parentId", longOrNull(rs, "parent_id"))
                .put("createdAt", time(rs, "created_at"));
    }

    static JsonObject doctor(ResultSet rs) throws SQLException {
        JsonObject json = new JsonObject()
                .put("id", rs.getLong("id"))
                .put("name", rs.getString("name"))
                .put("organisationId", rs.getLong("organisation_id"))
                .put("tier", rs.getString("tier"))
                .put("createdAt", time(rs, "created_at"));
        String deactivatedAt = time(rs, "deactivated_at");
        json.put("active", deactivatedAt == null);
        if (deactivatedAt != null) {
            json.put("deactivatedAt", deactivatedAt);
        }
        return json;
    }

    static JsonObject team(ResultSet rs) throws SQLException {
        List<Object> members = new ArrayList<>();
        for (Object id : (Object[]) rs.getArray("members").getArray()) {
            members.add(((Number) id).longValue());
        }
        return new JsonObject()
                .put("id", rs.getLong("id"))
                .put("name", rs.getString("name"))
                .put("organisationId", rs.getLong("organisation_id"))
                .put("doctorIds", new JsonArray(members))
                .put("createdAt", time(rs, "created_at"));
    }
}
