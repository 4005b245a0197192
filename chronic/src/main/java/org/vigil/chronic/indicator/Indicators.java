package org.vigil.chronic.indicator;

import java.time.Duration;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.vigil.chronic.control.ControlStatus;
import org.vigil.common.model.Condition;

/**
 * The panel indicators of a doctor, team or organisation over a period, from facts gathered per patient and per
 * alert. Pure; definitions in docs/chronic-care.md, each stated in the indicator itself.
 */
public final class Indicators {

    private static final List<String> SEVERITIES = List.of("warning", "critical");

    private Indicators() {
    }

    /**
     * Follow-ups the standard asks for in a period of that many days: {@code perYear} a year, pro-rated and rounded
     * half up, at least one (a quarter of 90 days asks for 1, half a year 2, a year 4).
     */
    public static int requiredFollowUps(int perYear, long days) {
        return (int) Math.max(1, Math.floor(perYear * days / 365.0 + 0.5));
    }

    /**
     * @param from      first day of the period
     * @param to        last day of the period (inclusive)
     * @param perYear   follow-ups a year the standard asks for
     */
    public static List<Indicator> compute(LocalDate from, LocalDate to, int perYear, Collection<PatientFacts> patients,
            Collection<AlertFacts> alerts) {
        long days = ChronoUnit.DAYS.between(from, to) + 1;
        int required = requiredFollowUps(perYear, days);
        List<Indicator> out = new ArrayList<>();
        for (Condition c : Condition.values()) {
            List<Long> managed = ids(patients, p -> p.conditions().contains(c));
            out.add(new Indicator("managed_" + c.wireName(), "managed patients: " + inProse(c),
                    "patients with " + inProse(c) + " under a contract at the end of the period", null,
                    managed.size(), 0, (double) managed.size(), managed, List.of()));
        }
        for (Condition c : List.of(Condition.HYPERTENSION, Condition.DIABETES)) {
            List<Long> managed = ids(patients, p -> p.conditions().contains(c));
            List<Long> standard = ids(patients, p -> p.conditions().contains(c) && p.followUps(c) >= required);
            out.add(rate("standard_management_rate_" + c.wireName(), "规范管理率 (" + inProse(c) + ")",
                    "managed " + inProse(c) + " patients with at least " + required
                            + " standard follow-ups covering it in the period (" + perYear + " a year, pro-rated to "
                            + days + " days)",
                    "patients with " + inProse(c) + " under a contract at the end of the period", standard, managed));
        }
        out.add(controlRate(patients, Condition.HYPERTENSION, "bp_control_rate", "血压控制率 (BP control rate)",
                "managed hypertension patients whose blood pressure was controlled at the end of the period "
                        + "(unknown counts as not controlled)",
                "patients with hypertension under a contract at the end of the period"));
        out.add(controlRate(patients, Condition.DIABETES, "glucose_control_rate", "血糖控制率 (glucose control rate)",
                "managed diabetes patients whose fasting glucose was controlled at the end of the period "
                        + "(unknown, e.g. no fasting reading, counts as not controlled)",
                "patients with diabetes under a contract at the end of the period"));
        long expected = 0;
        long received = 0;
        for (PatientFacts p : patients) {
            expected += p.expected();
            received += p.received();
        }
        List<Long> planned = ids(patients, p -> p.expected() > 0);
        out.add(new Indicator("monitoring_adherence", "home-monitoring adherence",
                "home measurements received in the period, counting per patient and metric at most the number expected",
                "home measurements the patients' care plans expected in the period", received, expected,
                expected == 0 ? null : (double) received / expected,
                ids(patients, p -> p.received() > 0), planned));
        alertResponse(alerts, out);
        return out;
    }

    private static void alertResponse(Collection<AlertFacts> alerts, List<Indicator> out) {
        for (String severity : SEVERITIES) {
            List<AlertFacts> of = alerts.stream().filter(a -> a.severity().equals(severity)).toList();
            List<Long> acked = new ArrayList<>();
            List<Long> seconds = new ArrayList<>();
            for (AlertFacts a : of) {
                if (a.acknowledgedAt() != null) {
                    seconds.add(Duration.between(a.openedAt(), a.acknowledgedAt()).toSeconds());
                    acked.add(a.patientId());
                }
            }
            seconds.sort(null);
            for (int p : new int[] {50, 90}) {
                Long v = percentile(seconds, p);
                out.add(new Indicator("ack_p" + p + "_" + severity, "time to acknowledge, p" + p + ", " + severity,
                        "seconds from opening to acknowledgement: the nearest-rank " + p + "th percentile",
                        severity + " alerts opened in the period and acknowledged", v == null ? 0 : v, seconds.size(),
                        v == null ? null : v.doubleValue(), sortedSet(acked), sortedSet(acked)));
            }
        }
        List<Long> all = alerts.stream().map(AlertFacts::patientId).toList();
        List<AlertFacts> escalated = alerts.stream().filter(AlertFacts::escalated).toList();
        out.add(new Indicator("alerts_escalated_share", "share of alerts escalated",
                "alerts opened in the period and escalated for want of an acknowledgement",
                "alerts opened in the period", escalated.size(), alerts.size(),
                alerts.isEmpty() ? null : (double) escalated.size() / alerts.size(),
                sortedSet(escalated.stream().map(AlertFacts::patientId).toList()), sortedSet(all)));
        Map<String, List<AlertFacts>> byDisposition = new TreeMap<>();
        for (AlertFacts a : alerts) {
            if (a.disposition() != null) {
                byDisposition.computeIfAbsent(a.disposition(), k -> new ArrayList<>()).add(a);
            }
        }
        for (Map.Entry<String, List<AlertFacts>> e : byDisposition.entrySet()) {
            int n = e.getValue().size();
            out.add(new Indicator("alerts_resolved_share_" + e.getKey(), "share of alerts resolved as " + e.getKey(),
                    "alerts opened in the period and resolved with disposition " + e.getKey(),
                    "alerts opened in the period", n, alerts.size(), (double) n / alerts.size(),
                    sortedSet(e.getValue().stream().map(AlertFacts::patientId).toList()), sortedSet(all)));
        }
    }

    /** Nearest rank: the value at position ceil(p/100 × n) of the sorted values; {@code null} for none. */
    static Long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return null;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(1, rank) - 1);
    }

    /** Of the patients managed for {@code c}, those whose status for it was controlled at the end of the period. */
    private static Indicator controlRate(Collection<PatientFacts> patients, Condition c, String id, String title,
            String num, String den) {
        List<Long> managed = ids(patients, p -> p.conditions().contains(c));
        List<Long> controlled = ids(patients, p -> p.conditions().contains(c) && p.status(c) == ControlStatus.CONTROLLED);
        return rate(id, title, num, den, controlled, managed);
    }

    private static Indicator rate(String id, String title, String num, String den, List<Long> numerator,
            List<Long> denominator) {
        return new Indicator(id, title, num, den, numerator.size(), denominator.size(),
                denominator.isEmpty() ? null : (double) numerator.size() / denominator.size(), numerator, denominator);
    }

    private static List<Long> ids(Collection<PatientFacts> patients, Predicate<PatientFacts> test) {
        return sortedSet(patients.stream().filter(test).map(PatientFacts::patientId).toList());
    }

    private static List<Long> sortedSet(Collection<Long> ids) {
        return List.copyOf(new TreeSet<>(ids));
    }

    /** A condition as a definition's English names it (the indicator ids keep the wire name). */
    private static String inProse(Condition c) {
        return switch (c) {
            case COPD -> "COPD";
            case HEART_FAILURE -> "heart failure";
            default -> c.wireName();
        };
    }
}
