package org.vigil.registry.store;

import static org.vigil.registry.store.Rows.all;
import static org.vigil.registry.store.Rows.longOrNull;
import static org.vigil.registry.store.Rows.one;
import static org.vigil.registry.store.Rows.time;
import static org.vigil.registry.store.Rows.transaction;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.http.ApiException;

/**
 * Patients, their family-doctor contracts (with history) and their care plans (versioned). Every change is
 * audited in its own transaction. Reads take a doctor scope: {@code null} for an administrator, else the
 * doctor's id, and then return only patients she may see ({@code doctor_sees_patient}: her contracts, her
 * teams' contracts, and for township and county doctors everything in their organisation's subtree).
 * Blocking: call from a worker thread.
 */
public final class PatientStore {

    /** The current contract: started, and not ended (a replacement may already be scheduled). */
    static final String CURRENT = "c.valid_from <= now() AND (c.valid_to IS NULL OR c.valid_to > now())";

    private static final String PATIENT_SELECT = """
            SELECT p.id, p.name, p.conditions, p.grade, p.created_at,
                   c.id AS contract_id, c.team_id, c.doctor_id, t.organisation_id, c.valid_from, c.valid_to
              FROM patient p
              LEFT JOIN contract c ON c.patient_id = p.id AND\s""" + CURRENT + """

              LEFT JOIN team t ON t.id = c.team_id""";
    private static final String SELECT_PATIENT = PATIENT_SELECT
            + " WHERE p.id = ? AND (?::bigint IS NULL OR doctor_sees_patient(?, p.id))";
    private static final String LIST_PATIENTS = PATIENT_SELECT + """

             WHERE p.id > ? AND (?::bigint IS NULL OR p.id IN (SELECT patient_id FROM visible_patients(?)))
               AND (?::bigint IS NULL OR c.doctor_id = ?) AND (?::bigint IS NULL OR c.team_id = ?)
               AND (?::bigint IS NULL OR t.organisation_id IN (
                        SELECT o.id FROM organisation o, organisation top
                         WHERE top.id = ? AND o.path LIKE top.path || '%'))
             ORDER BY p.id LIMIT ?""";
    private static final String INSERT_PATIENT = """
            INSERT INTO patient (name, conditions, grade) VALUES (?, ?, ?) RETURNING id""";
    private static final String UPDATE_PATIENT = """
            UPDATE patient SET name = COALESCE(?, name), conditions = COALESCE(?, conditions), grade = COALESCE(?, grade)
             WHERE id = ? AND (?::bigint IS NULL OR doctor_sees_patient(?, id))""";
    private static final String LOCK_PATIENT = "SELECT id FROM patient WHERE id = ? FOR UPDATE";
    private static final String MEMBER = "SELECT 1 FROM team_member WHERE team_id = ? AND doctor_id = ?";
    /** Shares the lock a member's removal takes, so a contract cannot name a doctor who just left the team. */
    private static final String TEAM_EXISTS = "SELECT 1 FROM team WHERE id = ? FOR SHARE";
    private static final String DOCTOR_ACTIVE = "SELECT deactivated_at IS NULL FROM doctor WHERE id = ? FOR SHARE";
    /** Where the newest ended contract ends: a new one may not start before it (periods never overlap). */
    private static final String LAST_END = "SELECT max(valid_to) FROM contract WHERE patient_id = ?";
    private static final String OPEN_CONTRACT = """
            SELECT id, valid_from, team_id, doctor_id FROM contract WHERE patient_id = ? AND valid_to IS NULL FOR UPDATE""";
    private static final String END_CONTRACT = "UPDATE contract SET valid_to = ? WHERE id = ?";
    private static final String INSERT_CONTRACT = """
            INSERT INTO contract (patient_id, team_id, doctor_id, valid_from, created_by) VALUES (?, ?, ?, ?, ?)""";
    private static final String CONTRACTS = """
            SELECT c.id, c.team_id, c.doctor_id, t.organisation_id, c.valid_from, c.valid_to, c.created_by, c.created_at
              FROM contract c JOIN team t ON t.id = c.team_id
             WHERE c.patient_id = ? ORDER BY c.valid_from, c.id""";
    private static final String CARE_PLAN = """
            SELECT patient_id, version, plan::text AS plan, changed_by, changed_at FROM care_plan
             WHERE patient_id = ? ORDER BY version DESC LIMIT 1""";
    private static final String CARE_PLANS = """
            SELECT patient_id, version, plan::text AS plan, changed_by, changed_at FROM care_plan
             WHERE patient_id = ? AND version < ? ORDER BY version DESC LIMIT ?""";
    private static final String INSERT_CARE_PLAN = """
            INSERT INTO care_plan (patient_id, version, plan, changed_by) VALUES (?, ?, ?::jsonb, ?)""";

    /** A contract to create: the team, its responsible doctor, and from when. */
    public record ContractTerms(long teamId, long doctorId, Instant from) {
    }

    private final DataSource dataSource;

    public PatientStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Registers a patient together with her first contract. */
    public JsonObject createPatient(String name, List<String> conditions, int grade, ContractTerms contract,
            String actor) throws SQLException {
        return transaction(dataSource, c -> {
            requireMember(c, contract);
            long id;
            try (PreparedStatement ps = c.prepareStatement(INSERT_PATIENT)) {
                ps.setString(1, name);
                ps.setArray(2, c.createArrayOf("text", conditions.toArray()));
                ps.setInt(3, grade);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            Rows.update(c, INSERT_CONTRACT, id, contract.teamId(), contract.doctorId(), contract.from(), actor);
            AuditLog.append(c,
                    new AuditLog.Event(actor, "patient.created", "patient", id, id,
                            AuditLog.detail("conditions", conditions, "grade", grade)),
                    new AuditLog.Event(actor, "contract.created", "patient", id, id, terms(contract)));
            return one(c, SELECT_PATIENT, PatientStore::patient, id, null, null).orElseThrow();
        });
    }

    /** The patient if the caller may see her. */
    public Optional<JsonObject> patient(long id, Long scope) throws SQLException {
        return one(dataSource, SELECT_PATIENT, PatientStore::patient, id, scope, scope);
    }

    /** Whether the patient exists and the caller may see her. */
    public boolean visible(long id, Long scope) throws SQLException {
        return patient(id, scope).isPresent();
    }

    /**
     * Patients the caller may see, optionally only those whose current contract names this responsible doctor,
     * this team, or a team of this organisation's subtree.
     */
    public List<JsonObject> patients(Long scope, Long doctorId, Long teamId, Long organisationId, long afterId,
            int limit) throws SQLException {
        return all(dataSource, LIST_PATIENTS, PatientStore::patient, afterId, scope, scope, doctorId, doctorId, teamId,
                    teamId, organisationId, organisationId, limit);
    }

    /** Changes name, conditions or grade (each optional). */
    public JsonObject update(long id, String name, List<String> conditions, Integer grade, Long scope, String actor)
            throws SQLException {
        return transaction(dataSource, c -> {
            try (PreparedStatement ps = c.prepareStatement(UPDATE_PATIENT)) {
                ps.setString(1, name);
                ps.setArray(2, conditions == null ? null : c.createArrayOf("text", conditions.toArray()));
                ps.setObject(3, grade, java.sql.Types.SMALLINT);
                ps.setLong(4, id);
                ps.setObject(5, scope, java.sql.Types.BIGINT);
                ps.setObject(6, scope, java.sql.Types.BIGINT);
                if (ps.executeUpdate() == 0) {
                    throw ApiException.notFound("patient " + id);
                }
            }
            AuditLog.append(c, new AuditLog.Event(actor, "patient.changed", "patient", id, id,
                    AuditLog.detail("name", name, "conditions", conditions, "grade", grade)));
            return one(c, SELECT_PATIENT, PatientStore::patient, id, null, null).orElseThrow();
        });
    }

    /**
     * Contracts the patient to a (new) team and responsible doctor from a date. The open contract ends where the
     * new one starts; one that starts later than the new one would leave a gap in the history, so is a conflict.
     */
    public JsonObject changeContract(long patientId, ContractTerms terms, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            lockPatient(c, patientId);
            requireMember(c, terms);
            JsonObject previous = endOpenContract(c, patientId, terms.from(), "from");
            Rows.update(c, INSERT_CONTRACT, patientId, terms.teamId(), terms.doctorId(), terms.from(), actor);
            JsonObject detail = terms(terms);
            if (previous != null) {
                detail.put("previous", previous);
            }
            AuditLog.append(c, new AuditLog.Event(actor, "contract.changed", "patient", patientId, patientId, detail));
            return contracts(c, patientId);
        });
    }

    /** Ends the open contract at {@code at}: from then on no doctor is responsible (alerts are not routed). */
    public JsonObject endContract(long patientId, Instant at, String actor) throws SQLException {
        return transaction(dataSource, c -> {
            lockPatient(c, patientId);
            JsonObject previous = endOpenContract(c, patientId, at, "at");
            if (previous == null) {
                throw ApiException.conflict(null, "patient " + patientId + " has no open contract");
            }
            AuditLog.append(c, new AuditLog.Event(actor, "contract.ended", "patient", patientId, patientId,
                    AuditLog.detail("at", at.toString(), "previous", previous)));
            return contracts(c, patientId);
        });
    }

    /** The contract history, oldest first, as {@code {"items": [...]}}. */
    public Optional<JsonObject> contracts(long patientId, Long scope) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (one(c, SELECT_PATIENT, PatientStore::patient, patientId, scope, scope).isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(contracts(c, patientId));
        }
    }

    /** The current care plan; version 0 (expecting nothing, overriding nothing) when none was ever set. */
    public JsonObject carePlan(long patientId) throws SQLException {
        return one(dataSource, CARE_PLAN, PatientStore::carePlan, patientId).orElseGet(() -> new JsonObject()
                    .put("patientId", patientId).put("version", 0)
                    .put("expected", new JsonArray()).put("thresholds", new JsonObject()));
    }

    /** Earlier versions, newest first, before {@code beforeVersion}. */
    public List<JsonObject> carePlanHistory(long patientId, int beforeVersion, int limit) throws SQLException {
        return all(dataSource, CARE_PLANS, PatientStore::carePlan, patientId, beforeVersion, limit);
    }

    /**
     * Stores a new version of the care plan. With {@code expectedVersion} the change applies only on top of that
     * version (so two doctors editing at once do not silently overwrite each other): otherwise 409.
     */
    public JsonObject setCarePlan(long patientId, JsonObject plan, Integer expectedVersion, String actor)
            throws SQLException {
        return transaction(dataSource, c -> {
            lockPatient(c, patientId);
            int current = one(c, CARE_PLAN, PatientStore::carePlan, patientId).map(p -> p.getInteger("version")).orElse(0);
            if (expectedVersion != null && expectedVersion != current) {
                throw ApiException.conflict("version", "the care plan is at version " + current + ", not " + expectedVersion);
            }
            int version = current + 1;
            Rows.update(c, INSERT_CARE_PLAN, patientId, version, plan.encode(), actor);
            AuditLog.append(c, new AuditLog.Event(actor, "care_plan.changed", "patient", patientId, patientId,
                    AuditLog.detail("version", version, "plan", plan)));
            return one(c, CARE_PLAN, PatientStore::carePlan, patientId).orElseThrow();
        });
    }

    private static JsonObject endOpenContract(Connection c, long patientId, Instant at, String field) throws SQLException {
        Optional<JsonObject> open = one(c, OPEN_CONTRACT, rs -> new JsonObject().put("id", rs.getLong(1))
                .put("validFrom", rs.getTimestamp(2).toInstant().toString())
                .put("teamId", rs.getLong(3)).put("doctorId", rs.getLong(4)), patientId);
        if (open.isEmpty()) {
            Rows.requireNotBeforeLastEnd(c, LAST_END, patientId, at, field, "the last contract ran");
            return null;
        }
        Instant from = Instant.parse(open.get().getString("validFrom"));
        if (!at.isAfter(from)) {
            throw ApiException.conflict(field, "the current contract began at " + from + "; " + field
                    + " must be later");
        }
        Rows.update(c, END_CONTRACT, at, open.get().getLong("id"));
        return open.get();
    }

    private static void lockPatient(Connection c, long patientId) throws SQLException {
        if (one(c, LOCK_PATIENT, rs -> new JsonObject(), patientId).isEmpty()) {
            throw ApiException.notFound("patient " + patientId);
        }
    }

    private static void requireMember(Connection c, ContractTerms terms) throws SQLException {
        if (one(c, TEAM_EXISTS, rs -> new JsonObject(), terms.teamId()).isEmpty()) {
            throw new ApiException(404, "not_found", "teamId", "team " + terms.teamId() + " not found");
        }
        if (one(c, MEMBER, rs -> new JsonObject(), terms.teamId(), terms.doctorId()).isEmpty()) {
            throw ApiException.invalid("doctorId", "doctor " + terms.doctorId() + " is not a member of team "
                    + terms.teamId());
        }
        // Shares the lock her deactivation takes: no new patient is put in the care of a doctor who cannot sign in.
        if (!one(c, DOCTOR_ACTIVE, rs -> new JsonObject().put("active", rs.getBoolean(1)), terms.doctorId())
                .map(row -> row.getBoolean("active")).orElse(true)) {
            throw ApiException.conflict("doctorId", "doctor " + terms.doctorId() + " is deactivated");
        }
    }

    private static JsonObject contracts(Connection c, long patientId) throws SQLException {
        return new JsonObject().put("items", new JsonArray(all(c, CONTRACTS, rs -> {
            JsonObject json = new JsonObject()
                    .put("id", rs.getLong("id"))
                    .put("teamId", rs.getLong("team_id"))
                    .put("doctorId", rs.getLong("doctor_id"))
                    .put("organisationId", rs.getLong("organisation_id"))
                    .put("validFrom", time(rs, "valid_from"))
                    .put("createdBy", rs.getString("created_by"))
                    .put("createdAt", time(rs, "created_at"));
            String to = time(rs, "valid_to");
            if (to != null) {
                json.put("validTo", to);
            }
            return json;
        }, patientId)));
    }

    private static JsonObject terms(ContractTerms terms) {
        return AuditLog.detail("teamId", terms.teamId(), "doctorId", terms.doctorId(), "from", terms.from().toString());
    }

    static JsonObject patient(ResultSet rs) throws SQLException {
        Array conditions = rs.getArray("conditions");
        JsonObject json = new JsonObject()
                .put("id", rs.getLong("id"))
                .put("name", rs.getString("name"))
                .put("conditions", new JsonArray(List.of((Object[]) conditions.getArray())))
                .put("grade", rs.getInt("grade"))
                .put("createdAt", time(rs, "created_at"));
        Long contractId = longOrNull(rs, "contract_id");
        if (contractId != null) {
            // The responsible doctor is repeated at the top level: it is what most callers want.
            json.put("doctorId", rs.getLong("doctor_id"));
            JsonObject contract = new JsonObject()
                    .put("id", contractId)
                    .put("teamId", rs.getLong("team_id"))
                    .put("doctorId", rs.getLong("doctor_id"))
                    .put("organisationId", rs.getLong("organisation_id"))
                    .put("validFrom", time(rs, "valid_from"));
            String to = time(rs, "valid_to");
            if (to != null) {
                contract.put("validTo", to);
            }
            json.put("contract", contract);
        }
        return json;
    }

    static JsonObject carePlan(ResultSet rs) throws SQLException {
        JsonObject plan = new JsonObject(rs.getString("plan"));
        return new JsonObject()
                .put("patientId", rs.getLong("patient_id"))
                .put("version", rs.getInt("version"))
                .put("expected", plan.getJsonArray("expected", new JsonArray()))
                .put("thresholds", plan.getJsonObject("thresholds", new JsonObject()))
                .put("changedBy", rs.getString("changed_by"))
                .put("changedAt", time(rs, "changed_at"));
    }
}
