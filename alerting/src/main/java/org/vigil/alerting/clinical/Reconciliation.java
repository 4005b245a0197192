package org.vigil.alerting.clinical;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.alerting.clinical.Episode.State;
import org.vigil.common.model.Metric;

/**
 * The second half of {@link ClinicalEngine#rebuild}: a patient's replayed episodes reconciled with what the alert
 * store knows, so that nothing already signalled is signalled again and nothing lost stays lost (the cases are
 * listed there). Every signal it adds is {@code late}.
 */
final class Reconciliation {

    private Reconciliation() {
    }

    static void reconcile(Rule[] rules, PatientState ps, Collection<KnownAlert> knownAlerts, long now,
                          List<AlertSignal> out) {
        Map<String, KnownAlert> known = latestByRule(knownAlerts);
        for (int k = 0; k < rules.length; k++) {
            Rule rule = rules[k];
            Episode e = ps.episodes[k];
            KnownAlert alert = known.get(rule.id);
            boolean replayOpen = e != null && e.state == State.OPEN;
            if (alert != null && alert.active()) {
                // What the doctor was told, and may not clear without her, is never cleared by a replay.
                boolean clearsItself = rule.policy.clearsItself(alert.severity());
                if (ps.detectors[k] == null) {
                    if (clearsItself) {
                        out.add(new AlertSignal(ps.patientId, rule.id, Kind.CLEAR, alert.severity(), Metric.values()[
                                Integer.numberOfTrailingZeros(rule.metricMask)], 0, 0, alert.lastMeasuredAt(), true,
                                "rule no longer applies to the care plan", 0, 0));
                    }
                } else if (replayOpen && e.severity.worseThan(alert.severity())) {
                    restored(ps, rule, e, Kind.WORSEN, e.lastFiringAt, "worsened before a restart: " + e.severity.wireName()
                            + ", last " + Format.value(e.metric, e.last), out);
                    restoredMark(ps, rule, e, Long.MIN_VALUE, out);
                } else if (replayOpen) {
                    e.adoptActive(alert.severity(), alert.lastMeasuredAt());
                    restoredMark(ps, rule, e, alert.lastMeasuredAt(), out);
                } else if (e != null && e.lastClearedAt != Episode.NONE && e.lastClearedAt > alert.lastMeasuredAt()) {
                    if (clearsItself) {
                        restored(ps, rule, e, Kind.CLEAR, e.lastClearedAt, "back in range before a restart", out);
                    } else {
                        e.adoptBackInRange(alert.severity(), alert.lastMeasuredAt(), e.lastClearedAt);
                        restoredMark(ps, rule, e, alert.lastMeasuredAt(), out);
                    }
                } else {
                    if (e == null) {
                        e = new Episode(rule.policy);
                        ps.episodes[k] = e;
                    }
                    e.adoptActive(alert.severity(), alert.lastMeasuredAt());
                }
            } else if (replayOpen) {
                if (alert != null && alert.lastMeasuredAt() >= e.openedAt) {
                    e.adoptResolved(rule.policy);
                } else {
                    restored(ps, rule, e, Kind.OPEN, e.lastFiringAt, "raised from stored readings, not signalled before a"
                            + " restart: " + Format.label(e.worstMetric) + " " + Format.value(e.worstMetric, e.worst), out);
                    restoredMark(ps, rule, e, Long.MIN_VALUE, out);
                }
            }
        }
        if (ps.missing != null) {
            ps.missing.reconcile(known, now, ps.newestAt, ps.devices, out);
        }
    }

    private static void restored(PatientState ps, Rule rule, Episode e, Kind kind, long at, String detail,
                                 List<AlertSignal> out) {
        out.add(rule.signal(ps.patientId, e, kind, e.metric, e.last, at, true, detail));
    }

    /** The replay marked the episode back in range after the store last heard of it: tell the store. */
    private static void restoredMark(PatientState ps, Rule rule, Episode e, long storedUpTo, List<AlertSignal> out) {
        if (e.backInRangeAt != Episode.NONE && e.backInRangeAt > storedUpTo) {
            restored(ps, rule, e, Kind.BACK_IN_RANGE, e.backInRangeAt, "back in range before a restart", out);
        }
    }

    private static Map<String, KnownAlert> latestByRule(Collection<KnownAlert> known) {
        Map<String, KnownAlert> byRule = new HashMap<>();
        for (KnownAlert a : known) {
            byRule.merge(a.ruleId(), a, (x, y) -> x.active() != y.active() ? (x.active() ? x : y)
                    : x.lastMeasuredAt() >= y.lastMeasuredAt() ? x : y);
        }
        return byRule;
    }
}
