package org.vigil.chronic.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.vigil.chronic.grade.GradeSuggestion;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.db.Transactions;

/**
 * Management-grade decisions ({@code management_grade}) with who and when, audited. Blocking: call from worker
 * threads.
 */
public final class GradeStore {

    private static final String INSERT_GRADE = """
            INSERT INTO management_grade (patient_id, grade, suggested, reasons, decision, note, decided_by, decided_at)
            VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?) RETURNING id""";
    private static final String GRADES = """
            SELECT id, grade, suggested, reasons::text, decision, note, decided_by, decided_at
              FROM management_grade WHERE patient_id = ? ORDER BY id DESC LIMIT ?""";

    private final DataSource dataSource;

    public GradeStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Records a doctor's grade decision with its audit event; returns it as the API shows it. */
    public JsonObject decideGrade(long patientId, int grade, GradeSuggestion suggestion, String note, String actor,
            Instant now) throws SQLException {
        String decision = grade == suggestion.grade() ? "confirmed" : "overridden";
        return Transactions.run(dataSource, c -> {
            long id;
            try (PreparedStatement ps = c.prepareStatement(INSERT_GRADE)) {
                ps.setLong(1, patientId);
                ps.setInt(2, grade);
                ps.setInt(3, suggestion.grade());
                ps.setString(4, new JsonArray(new ArrayList<>(suggestion.reasons())).encode());
                ps.setString(5, decision);
                ps.setString(6, note);
                ps.setString(7, actor);
                ps.setTimestamp(8, Timestamp.from(now));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            AuditLog.append(c, new AuditLog.Event(actor, "grade." + decision, "management_grade", id, patientId,
                    AuditLog.detail("grade", grade, "suggested", suggestion.grade())));
            return grades(c, patientId, 1).get(0);
        });
    }

    /** The patient's grade decisions, newest first. */
    public List<JsonObject> grades(long patientId, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return grades(c, patientId, limit);
        }
    }

    private static List<JsonObject> grades(Connection c, long patientId, int limit) throws SQLException {
        return PatientRows.list(c, GRADES, patientId, limit, rs -> new JsonObject().put("id", rs.getLong(1)).put("grade", rs.getInt(2))
                .put("suggested", rs.getInt(3)).put("reasons", new JsonArray(rs.getString(4)))
                .put("decision", rs.getString(5)).put("note", rs.getString(6))
                .put("decidedBy", rs.getString(7))
                .put("decidedAt", rs.getTimestamp(8).toInstant().toString()));
    }
}
