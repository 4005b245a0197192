package org.vigil.chronic.app;

import io.vertx.core.json.JsonObject;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.vigil.chronic.control.ControlEvaluator;
import org.vigil.chronic.control.ControlResult;
import org.vigil.chronic.control.Observation;
import org.vigil.chronic.control.OfficeMeasurement;
import org.vigil.chronic.store.CareStore;
import org.vigil.chronic.store.StatusStore;
import org.vigil.chronic.store.Roster;
import org.vigil.common.model.Condition;

/**
 * Evaluates a patient's control status for each of her conditions and records it as status spells, so "since
 * when" holds across evaluations and the indicators read the status at any moment from {@code control_status}.
 * Blocking (JDBC): call from worker threads. Thread-safe: it holds no state of its own.
 */
public final class StatusKeeper {

    /** One condition's result and since when its status holds. */
    public record Evaluated(ControlResult result, Instant since) {

        public JsonObject toJson() {
            return new JsonObject()
                    .put("condition", result.condition().wireName())
                    .put("status", result.status().wireName())
                    .put("basis", result.basis())
                    .put("figures", figures(result))
                    .put("from", result.from().toString())
                    .put("to", result.to().toString())
                    .put("since", since.toString())
                    .put("reason", result.reason());
        }
    }

    private final CareStore store;
    private final StatusStore status;
    private final ControlEvaluator evaluator;

    public StatusKeeper(CareStore store, StatusStore status, ControlEvaluator evaluator) {
        this.store = Objects.requireNonNull(store, "store");
        this.status = Objects.requireNonNull(status, "status");
        this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
    }

    public ControlEvaluator evaluator() {
        return evaluator;
    }

    /** Days of readings recounted on an ordinary re-evaluation: today and yesterday. */
    public static final int RECENT_DAYS = 2;
    /** Days recounted after new readings arrived: as far back as ingest accepts a buffered upload (30 days). */
    public static final int UPLOAD_DAYS = 31;

    /**
     * Evaluates and records every condition of a managed patient, and recounts her readings of the last
     * {@code recountDays} days; empty for a patient without a contract now.
     */
    public List<Evaluated> refresh(long patientId, Instant now, int recountDays) throws SQLException {
        Optional<Roster> roster = store.roster(patientId, now);
        if (roster.isEmpty()) {
            return List.of();
        }
        return refresh(roster.get(), now, recountDays);
    }

    public List<Evaluated> refresh(Roster roster, Instant now) throws SQLException {
        return refresh(roster, now, RECENT_DAYS);
    }

    public List<Evaluated> refresh(Roster roster, Instant now, int recountDays) throws SQLException {
        List<Evaluated> out = new ArrayList<>();
        if (roster.conditions().isEmpty()) {
            return out;
        }
        status.recountDays(roster.patientId(),
                LocalDate.ofInstant(now, evaluator.rules().zone()).minusDays(recountDays - 1L), now,
                evaluator.rules().zone());
        List<Observation> readings = store.readings(roster.patientId(), now.minus(evaluator.lookback()), now);
        LocalDate today = LocalDate.ofInstant(now, evaluator.rules().zone());
        for (Condition condition : Condition.values()) {
            if (!roster.conditions().contains(condition)) {
                continue;
            }
            Optional<OfficeMeasurement> office = switch (condition) {
                case HYPERTENSION -> store.officeBp(roster.patientId(), today);
                case DIABETES -> store.officeFastingGlucose(roster.patientId(), today);
                default -> Optional.empty();
            };
            ControlResult result = evaluator.evaluate(condition, roster.age(), readings, office, now);
            Instant since = status.record(roster.patientId(), result, figures(result).put("from", result.from().toString())
                    .put("basis", result.basis()), now);
            out.add(new Evaluated(result, since));
        }
        return out;
    }

    static JsonObject figures(ControlResult result) {
        JsonObject json = new JsonObject();
        for (Map.Entry<String, Object> e : result.figures().entrySet()) {
            json.put(e.getKey(), e.getValue());
        }
        return json;
    }
}
