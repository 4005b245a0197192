package org.vigil.chronic.app;

import io.vertx.core.json.JsonObject;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.vigil.chronic.control.ControlEvaluator;
import org.vigil.chronic.control.ControlResult;
import org.vigil.chronic.control.Observation;
import org.vigil.chronic.control.OfficeMeasurement;
import org.vigil.chronic.control.ReadingTotals;
import org.vigil.chronic.store.CareStore;
import org.vigil.chronic.store.StatusStore;
import org.vigil.chronic.store.Roster;
import org.vigil.common.model.Condition;
import org.vigil.common.model.Metric;

/**
 * Evaluates a patient's control status for each of her conditions and records it as status spells, so "since
 * when" holds across evaluations and the indicators read the status at any moment from {@code control_status}.
 * Blocking (JDBC): call from worker threads. Thread-safe: it holds no state of its own.
 */
public record StatusKeeper(CareStore store, StatusStore status, ControlEvaluator evaluator) {

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

    /** Days of readings recounted on an ordinary re-evaluation: today and yesterday. */
    public static final int RECENT_DAYS = 2;
    /** The most days recounted after new readings arrived: as far back as ingest accepts a buffered upload (30 days). */
    public static final int UPLOAD_DAYS = 31;

    /**
     * Days to recount for new readings measured from {@code earliest} on: from that day to today, at most
     * {@link #UPLOAD_DAYS}. Live readings recount today alone; a wearer's month of minute readings is not recounted
     * for each new one.
     */
    public int recountDaysFor(Instant earliest, Instant now) {
        java.time.ZoneId zone = evaluator.rules().zone();
        long days = java.time.temporal.ChronoUnit.DAYS.between(LocalDate.ofInstant(earliest, zone),
                LocalDate.ofInstant(now, zone)) + 1;
        return (int) Math.max(1, Math.min(UPLOAD_DAYS, days));
    }

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
        return evaluate(List.of(roster), now, recountDays).getOrDefault(roster.patientId(), List.of());
    }

    /**
     * {@link #refresh(long, Instant, int)} for many patients at once, with the same results. By patient id, those
     * without a contract or condition now absent.
     */
    public Map<Long, List<Evaluated>> refreshAll(List<Long> patientIds, Instant now, int recountDays)
            throws SQLException {
        Map<Long, Roster> contracts = store.rosters(patientIds, now);
        List<Roster> rosters = new ArrayList<>();
        for (long id : patientIds) {
            if (contracts.containsKey(id)) {
                rosters.add(contracts.get(id));
            }
        }
        return evaluate(rosters, now, recountDays);
    }

    /**
     * Evaluates and records the patients' conditions, whether one or a sweep's chunk: their day recounts, readings,
     * SpO2 totals and office values each in one statement for all, and their statuses recorded in one transaction;
     * a few statements in all instead of about nine per patient. By patient id, those without a condition absent.
     */
    private Map<Long, List<Evaluated>> evaluate(List<Roster> candidates, Instant now, int recountDays)
            throws SQLException {
        List<Roster> rosters = candidates.stream().filter(r -> !r.conditions().isEmpty()).toList();
        Map<Long, List<Evaluated>> out = new LinkedHashMap<>();
        if (rosters.isEmpty()) {
            return out;
        }
        ZoneId zone = evaluator.rules().zone();
        LocalDate today = LocalDate.ofInstant(now, zone);
        status.recountDays(rosters.stream().map(Roster::patientId).toList(), today.minusDays(recountDays - 1L), now,
                zone);
        List<CareStore.ReadingsWanted> wanted = rosters.stream().map(r -> wanted(r, now))
                .filter(w -> !w.metrics().isEmpty()).toList();
        Map<Long, List<Observation>> readings = store.readings(wanted, now);
        Map<Long, OfficeMeasurement> bp = store.officeBp(with(rosters, Condition.HYPERTENSION), today);
        Map<Long, OfficeMeasurement> fpg = store.officeFastingGlucose(with(rosters, Condition.DIABETES), today);
        Map<Long, ReadingTotals> spo2 = store.totals(with(rosters, Condition.COPD), Metric.SPO2,
                now.minus(evaluator.lookback(Condition.COPD)), now);
        List<StatusStore.Evaluation> evaluations = new ArrayList<>();
        for (Roster roster : rosters) {
            long id = roster.patientId();
            List<Observation> own = readings.getOrDefault(id, List.of());
            for (Condition condition : Condition.values()) {
                if (!roster.conditions().contains(condition)) {
                    continue;
                }
                ControlResult result = switch (condition) {
                    case HYPERTENSION -> evaluator.evaluate(condition, roster.age(), own,
                            Optional.ofNullable(bp.get(id)), now);
                    case DIABETES -> evaluator.evaluate(condition, roster.age(), own,
                            Optional.ofNullable(fpg.get(id)), now);
                    case COPD -> evaluator.copd(spo2.getOrDefault(id, new ReadingTotals(0, 0)), now);
                    case HEART_FAILURE -> evaluator.evaluate(condition, roster.age(), own, Optional.empty(), now);
                };
                evaluations.add(new StatusStore.Evaluation(id, result, stored(result)));
            }
        }
        List<Instant> since = status.record(evaluations, now);
        for (int i = 0; i < evaluations.size(); i++) {
            out.computeIfAbsent(evaluations.get(i).patientId(), k -> new ArrayList<>())
                    .add(new Evaluated(evaluations.get(i).result(), since.get(i)));
        }
        return out;
    }

    /**
     * Only the metrics of her conditions, each as far back as its condition needs; SpO2 as totals, for a wearer's
     * oximeter sends a reading a minute and COPD judges their mean (docs/chronic-care.md).
     */
    private CareStore.ReadingsWanted wanted(Roster roster, Instant now) {
        Set<Metric> metrics = EnumSet.noneOf(Metric.class);
        Duration reach = Duration.ZERO;
        for (Condition condition : roster.conditions()) {
            if (condition != Condition.COPD) {
                metrics.addAll(ControlEvaluator.metrics(condition));
                reach = reach.compareTo(evaluator.lookback(condition)) > 0 ? reach : evaluator.lookback(condition);
            }
        }
        return new CareStore.ReadingsWanted(roster.patientId(), metrics, now.minus(reach));
    }

    private static List<Long> with(List<Roster> rosters, Condition condition) {
        return rosters.stream().filter(r -> r.conditions().contains(condition)).map(Roster::patientId).toList();
    }

    /** What {@code control_status} keeps of a result: its figures, with the period's start and the basis. */
    private static JsonObject stored(ControlResult result) {
        return figures(result).put("from", result.from().toString()).put("basis", result.basis());
    }

    static JsonObject figures(ControlResult result) {
        JsonObject json = new JsonObject();
        for (Map.Entry<String, Object> e : result.figures().entrySet()) {
            json.put(e.getKey(), e.getValue());
        }
        return json;
    }
}
