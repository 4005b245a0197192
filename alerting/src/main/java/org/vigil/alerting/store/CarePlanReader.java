package org.vigil.alerting.store;

import io.vertx.core.json.JsonObject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.vigil.common.model.Condition;

/**
 * A patient's conditions and current personal thresholds, as the engine reads them (see
 * {@link PatientHistoryStore}), for a caller who may see her. Blocking: call from a worker thread.
 */
public final class CarePlanReader {

    /** Her conditions, and the {@code thresholds} of her current care plan ({@code {}} when none). */
    public record Profile(Set<Condition> conditions, JsonObject thresholds) {
    }

    private static final String PROFILE = """
            SELECT p.conditions,
                   (SELECT cp.plan::text FROM registry_care_plan cp WHERE cp.patient_id = p.id ORDER BY cp.version DESC LIMIT 1)
              FROM registry_patient p WHERE p.id = ? AND (?::bigint IS NULL OR doctor_sees_patient(?, p.id))""";

    private final DataSource dataSource;

    public CarePlanReader(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Empty when there is no such patient, or the doctor {@code scope} does not see her ({@code null}: admin). */
    public Optional<Profile> profile(long patientId, Long scope) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(PROFILE)) {
            ps.setLong(1, patientId);
            ps.setObject(2, scope, java.sql.Types.BIGINT);
            ps.setObject(3, scope, java.sql.Types.BIGINT);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Set<Condition> conditions = EnumSet.noneOf(Condition.class);
                Array array = rs.getArray(1);
                if (array != null) {
                    for (Object name : (Object[]) array.getArray()) {
                        Condition condition = Condition.NAMES.find((String) name);
                        if (condition != null) {
                            conditions.add(condition);
                        }
                    }
                }
                String plan = rs.getString(2);
                JsonObject thresholds = plan == null ? new JsonObject()
                        : new JsonObject(plan).getJsonObject("thresholds", new JsonObject());
                return Optional.of(new Profile(conditions, thresholds));
            }
        }
    }
}
