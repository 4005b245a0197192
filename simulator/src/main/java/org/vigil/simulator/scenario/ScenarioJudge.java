package org.vigil.simulator.scenario;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.vigil.simulator.report.LatencySummary;
import org.vigil.simulator.report.ScenarioVerdict;
import org.vigil.simulator.report.UnexplainedAlert;

/**
 * Judges the alert events of a run against its scenarios: per scenario, whether the expected alert came, to
 * the right doctor, severe enough, and how fast; and every notifying event no scenario explains. Pure: all
 * it needs is the scenarios and the events.
 */
public final class ScenarioJudge {

    /**
     * The judgement.
     *
     * @param verdicts      one per scenario, in the order given
     * @param unexplained   alerts no scenario explains
     * @param alertLatency  publish-to-alert latency over the scenarios whose alert came
     */
    public record Judgement(List<ScenarioVerdict> verdicts, List<UnexplainedAlert> unexplained, LatencySummary alertLatency) {
    }

    private ScenarioJudge() {
    }

    /** Judges {@code events} (in arrival order) against {@code runs}. */
    public static Judgement judge(List<ScenarioRun> runs, List<AlertEvent> events) {
        Map<Long, List<ScenarioRun>> byPatient = new HashMap<>();
        for (ScenarioRun r : runs) {
            if (r.device() != null) {
                byPatient.computeIfAbsent(r.patientId(), k -> new ArrayList<>()).add(r);
            }
        }
        Histogram latency = new Histogram(3_600_000_000L, 3);
        List<ScenarioVerdict> verdicts = new ArrayList<>();
        for (ScenarioRun r : runs) {
            ScenarioVerdict v = verdict(r, events);
            if (v.latencyMs() >= 0 && v.outcome() != ScenarioVerdict.Outcome.MISSED) {
                latency.recordValue(Math.round(v.latencyMs() * 1000));
            }
            verdicts.add(v);
        }
        List<UnexplainedAlert> unexplained = new ArrayList<>();
        for (AlertEvent e : events) {
            if (!e.notifies()) {
                continue;
            }
            JsonObject a = e.alert();
            long patient = a.getLong("patientId", 0L);
            String rule = a.getString("rule");
            List<ScenarioRun> candidates = byPatient.getOrDefault(patient, List.of());
            boolean explained = candidates.stream().anyMatch(r -> r.expectation().explains(rule));
            if (!explained) {
                unexplained.add(new UnexplainedAlert(a.getLong("id", 0L), e.event(), patient, a.getLong("doctorId", 0L), rule,
                        a.getString("severity"), a.getString("measuredAt"),
                        candidates.isEmpty() ? "no scenario for this patient" : "rule not expected by this patient's scenario"));
            }
        }
        return new Judgement(verdicts, unexplained, LatencySummary.of(latency, 1000.0));
    }

    private static ScenarioVerdict verdict(ScenarioRun r, List<AlertEvent> events) {
        Expectations.Expectation x = r.expectation();
        String name = r.kind().wireName();
        if (r.device() == null || r.notRunReason() != null && !r.started()) {
            return new ScenarioVerdict(name, r.device(), r.patientId(), r.doctorId(), x.rule(), x.severity(),
                    ScenarioVerdict.Outcome.NOT_RUN, null, null, 0, -1, r.notRunReason() == null ? "not run" : r.notRunReason());
        }
        AlertEvent weaker = null;
        AlertEvent elsewhere = null;
        AlertEvent misdescribed = null;
        for (AlertEvent e : events) {
            JsonObject a = e.alert();
            if (!e.notifies() || a.getLong("patientId", 0L) != r.patientId() || !x.expects(a.getString("rule"))) {
                continue;
            }
            long cause = r.causeBefore(e.receivedNanos());
            if (cause < 0) {
                continue; // before the scenario began: not its alert
            }
            boolean rightDoctor = a.getLong("doctorId", 0L) == r.doctorId() && e.feedDoctorId() == r.doctorId();
            if (!rightDoctor) {
                elsewhere = elsewhere == null ? e : elsewhere;
                continue;
            }
            if (!x.severeEnough(a.getString("severity"))) {
                weaker = weaker == null ? e : weaker;
                continue;
            }
            if (!x.names(a.getString("detail"))) {
                misdescribed = misdescribed == null ? e : misdescribed;
                continue;
            }
            double ms = (e.receivedNanos() - cause) / 1e6;
            return verdict(r, ScenarioVerdict.Outcome.PASSED, e, ms, String.format(java.util.Locale.ROOT,
                    "%s %s alert to doctor %d %.0f ms after the upload that caused it", a.getString("rule"),
                    a.getString("severity"), r.doctorId(), ms));
        }
        if (elsewhere != null) {
            return verdict(r, ScenarioVerdict.Outcome.WRONG_DOCTOR, elsewhere, -1, "alert named doctor "
                    + elsewhere.alert().getLong("doctorId") + " on the feed of doctor " + elsewhere.feedDoctorId()
                    + ", expected doctor " + r.doctorId());
        }
        if (misdescribed != null) {
            return verdict(r, ScenarioVerdict.Outcome.WRONG_CAUSE, misdescribed, -1, "the alert said '"
                    + misdescribed.alert().getString("detail") + "', expected it to name '" + x.cause() + "'");
        }
        if (weaker != null) {
            return verdict(r, ScenarioVerdict.Outcome.WRONG_SEVERITY, weaker, -1, "only a " + weaker.alert().getString("severity")
                    + " alert came, expected " + x.severity());
        }
        return new ScenarioVerdict(name, r.device(), r.patientId(), r.doctorId(), x.rule(), x.severity(),
                ScenarioVerdict.Outcome.MISSED, null, null, 0, -1, "no " + x.rule() + " alert for patient " + r.patientId()
                        + " within the run and its wait");
    }

    private static ScenarioVerdict verdict(ScenarioRun r, ScenarioVerdict.Outcome outcome, AlertEvent e, double ms, String detail) {
        JsonObject a = e.alert();
        return new ScenarioVerdict(r.kind().wireName(), r.device(), r.patientId(), r.doctorId(), r.expectation().rule(),
                r.expectation().severity(), outcome, a.getString("rule"), a.getString("severity"), a.getLong("doctorId", 0L), ms, detail);
    }

    /** Whether every scenario has an outcome other than {@link ScenarioVerdict.Outcome#MISSED} already. */
    public static boolean settled(List<ScenarioRun> runs, List<AlertEvent> events) {
        for (ScenarioVerdict v : judge(runs, events).verdicts()) {
            if (v.outcome() == ScenarioVerdict.Outcome.MISSED || v.outcome() == ScenarioVerdict.Outcome.WRONG_SEVERITY) {
                return false;
            }
        }
        return true;
    }
}
