package org.vigil.chronic.followup;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;

/** A follow-up due and missed, for the overdue list. */
public record Overdue(long patientId, String patientName, long doctorId, String rule, LocalDate due,
        LocalDate lastDoneOn, long daysOverdue) {

    /**
     * Most urgent first: referral follow-ups, then rechecks, then first follow-ups, then routine ones; within a rule
     * the longest overdue first, then by patient id so the order is stable.
     */
    public static final Comparator<Overdue> MOST_URGENT_FIRST = Comparator
            .comparingInt((Overdue o) -> NextFollowUp.urgency(o.rule()))
            .thenComparing(Overdue::due)
            .thenComparingLong(Overdue::patientId);

    /** A due date of {@code due} is missed on {@code today} when it lies before it. */
    public static boolean missed(LocalDate due, LocalDate today) {
        return due.isBefore(today);
    }

    public static long daysOverdue(LocalDate due, LocalDate today) {
        return ChronoUnit.DAYS.between(due, today);
    }

    public static List<Overdue> sorted(List<Overdue> items) {
        return items.stream().sorted(MOST_URGENT_FIRST).toList();
    }
}
