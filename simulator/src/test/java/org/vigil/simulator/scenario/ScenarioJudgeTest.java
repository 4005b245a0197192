package org.vigil.simulator.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.simulator.report.ScenarioVerdict;

@Timeout(10)
class ScenarioJudgeTest {

    private static final long MS = 1_000_000L;

    @Test
    void theExpectedAlertToTheRightDoctorPassesWithItsLatency() {
        ScenarioRun crisis = run(ScenarioKind.HYPERTENSIVE_CRISIS, 10, 1);
        crisis.uploaded(100 * MS);
        crisis.uploaded(200 * MS);
        ScenarioJudge.Judgement j = ScenarioJudge.judge(List.of(crisis), List.of(event(245 * MS, 1, 10, 1, "blood_pressure_high", "critical")));
        ScenarioVerdict v = j.verdicts().get(0);
        assertThat(v.outcome()).isEqualTo(ScenarioVerdict.Outcome.PASSED);
        assertThat(v.latencyMs()).isEqualTo(45.0);
        assertThat(j.unexplained()).isEmpty();
        assertThat(j.alertLatency().count()).isEqualTo(1);
    }

    /**
     * A critical alert stays open until a doctor resolves it, so a crisis that comes back while it waits is told
     * again on the same alert ({@code alert.escalated}, same severity): that notification is the scenario's alert.
     */
    @Test
    void aCrisisToldAgainOnAnAlertStillWaitingForTheDoctorPasses() {
        ScenarioRun hypo = run(ScenarioKind.SEVERE_HYPOGLYCAEMIA, 11, 1);
        hypo.uploaded(100 * MS);
        hypo.uploaded(200 * MS);
        AlertEvent recurred = new AlertEvent(230 * MS, 1, "alert.escalated", event(0, 1, 11, 1, "glucose_low", "critical")
                .alert().put("backInRangeAt", null));
        ScenarioJudge.Judgement j = ScenarioJudge.judge(List.of(hypo), List.of(recurred));
        assertThat(j.verdicts().get(0).outcome()).isEqualTo(ScenarioVerdict.Outcome.PASSED);
        assertThat(j.verdicts().get(0).latencyMs()).isEqualTo(30.0);
        assertThat(j.unexplained()).isEmpty();
    }

    @Test
    void anotherDoctorAWeakerAlertOrNoneFail() {
        ScenarioRun a = run(ScenarioKind.HYPERTENSIVE_CRISIS, 10, 1);
        ScenarioRun b = run(ScenarioKind.SEVERE_HYPOGLYCAEMIA, 11, 1);
        ScenarioRun c = run(ScenarioKind.HF_WEIGHT_GAIN, 12, 2);
        for (ScenarioRun r : List.of(a, b, c)) {
            r.uploaded(100 * MS);
        }
        List<AlertEvent> events = List.of(
                event(150 * MS, 2, 10, 2, "blood_pressure_high", "critical"),
                event(160 * MS, 1, 11, 1, "glucose_low", "warning"));
        List<ScenarioVerdict> v = ScenarioJudge.judge(List.of(a, b, c), events).verdicts();
        assertThat(v).extracting(ScenarioVerdict::outcome).containsExactly(ScenarioVerdict.Outcome.WRONG_DOCTOR,
                ScenarioVerdict.Outcome.WRONG_SEVERITY, ScenarioVerdict.Outcome.MISSED);
    }

    @Test
    void alertsNoScenarioExplainsAreFalseAlarmsButToleratedRulesAreNot() {
        ScenarioRun copd = run(ScenarioKind.COPD_EXACERBATION, 10, 1);
        copd.uploaded(100 * MS);
        List<AlertEvent> events = new ArrayList<>(List.of(
                event(150 * MS, 1, 10, 1, "spo2_low", "warning"),
                event(160 * MS, 1, 10, 1, "spo2_baseline_drop", "warning"),
                event(170 * MS, 1, 10, 1, "weight_gain", "warning"),
                event(180 * MS, 1, 99, 1, "blood_pressure_high", "warning")));
        ScenarioJudge.Judgement j = ScenarioJudge.judge(List.of(copd), events);
        assertThat(j.verdicts().get(0).passed()).isTrue();
        assertThat(j.unexplained()).extracting(u -> u.rule() + "/" + u.patientId())
                .containsExactly("weight_gain/10", "blood_pressure_high/99");
    }

    @Test
    void silenceScenariosMeasureFromTheSilenceAndMatchARuleFamily() {
        ScenarioVerdict v = silenceJudged(ScenarioKind.DEVICE_SILENT, "missing_systolic_bp",
                "no blood pressure for 6 s (expected every 4 s); device silent: no connection since 07:30");
        assertThat(v.outcome()).isEqualTo(ScenarioVerdict.Outcome.PASSED);
        assertThat(v.latencyMs()).isEqualTo(1000.0);
    }

    @Test
    void aMissingDataAlertNamingTheWrongCauseDoesNotPass() {
        ScenarioVerdict v = silenceJudged(ScenarioKind.STOPS_MEASURING, "missing_body_weight",
                "no body weight for 6 s (expected every 4 s); device silent: never connected");
        assertThat(v.outcome()).isEqualTo(ScenarioVerdict.Outcome.WRONG_CAUSE);
        assertThat(v.detail()).contains("nothing measured");
    }

    /**
     * The verdict on a silence scenario of patient 10 that uploaded at 100 ms and fell silent at 300 ms, given one
     * warning of {@code rule} with that detail at 1300 ms.
     */
    private static ScenarioVerdict silenceJudged(ScenarioKind kind, String rule, String detail) {
        ScenarioRun run = run(kind, 10, 1);
        run.uploaded(100 * MS);
        run.silenced(300 * MS);
        AlertEvent alert = event(1300 * MS, 1, 10, 1, rule, "warning");
        alert.alert().put("detail", detail);
        return ScenarioJudge.judge(List.of(run), List.of(alert)).verdicts().get(0);
    }

    @Test
    void expectationsCanBeOverriddenFromTheCommandLine() {
        Expectations x = Expectations.parse("hf_weight_gain=hf_weight_up:critical");
        assertThat(x.of(ScenarioKind.HF_WEIGHT_GAIN).rule()).isEqualTo("hf_weight_up");
        assertThat(x.of(ScenarioKind.HF_WEIGHT_GAIN).severeEnough("warning")).isFalse();
        assertThat(x.of(ScenarioKind.HYPERTENSIVE_CRISIS)).isEqualTo(Expectations.DEFAULT.of(ScenarioKind.HYPERTENSIVE_CRISIS));
    }

    @Test
    void sseParserSplitsEventsAcrossChunks() {
        List<String> got = new ArrayList<>();
        SseParser parser = new SseParser((e, d) -> got.add(e + "=" + d));
        parser.feed(": feed for doctor 1\n\nid: 7\nevent: alert.op");
        parser.feed("ened\ndata: {\"id\":7}\r\n\r\n: keep-alive\n\ndata: a\ndata: b\n\n");
        assertThat(got).containsExactly("alert.opened={\"id\":7}", "message=a\nb");
        assertThat(parser.live()).isTrue();
    }

    private static ScenarioRun run(ScenarioKind kind, long patient, long doctor) {
        return new ScenarioRun(kind, Expectations.DEFAULT.of(kind), "dev-" + patient, patient, doctor);
    }

    private static AlertEvent event(long at, long feedDoctor, long patient, long doctor, String rule, String severity) {
        return new AlertEvent(at, feedDoctor, "alert.opened", new JsonObject().put("id", at).put("patientId", patient)
                .put("doctorId", doctor).put("rule", rule).put("severity", severity).put("measuredAt", "2026-11-22T07:30:00Z"));
    }
}
