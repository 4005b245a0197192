package org.vigil.chronic.store;

import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One patient's {@code measurement_month} rows as a recount rebuilds them: the stored rows first, so days before the
 * recount keep their counts; the recounted days from zero, for a day without readings now has none; then the counts
 * of {@code care_reading_days}. Not thread-safe: one per patient and recount.
 */
final class MonthCounts {

    /** metric code -> month -> count per day. */
    private final Map<Integer, Map<LocalDate, int[]>> months = new TreeMap<>();
    private final Set<String> stored = new HashSet<>();

    /** A stored row ({@code days[1]} is the 1st). */
    void stored(int metric, LocalDate month, Integer[] days) {
        int[] counts = new int[month.lengthOfMonth()];
        for (int d = 0; d < Math.min(days.length, counts.length); d++) {
            counts[d] = days[d] == null ? 0 : days[d];
        }
        months.computeIfAbsent(metric, k -> new TreeMap<>()).put(month, counts);
        stored.add(metric + "/" + month);
    }

    /** Sets the recounted days, {@code firstDay} to {@code today}, to zero. */
    void zero(LocalDate firstDay, LocalDate today) {
        for (Map<LocalDate, int[]> byMonth : months.values()) {
            for (Map.Entry<LocalDate, int[]> e : byMonth.entrySet()) {
                for (int d = 0; d < e.getValue().length; d++) {
                    LocalDate day = e.getKey().plusDays(d);
                    if (!day.isBefore(firstDay) && !day.isAfter(today)) {
                        e.getValue()[d] = 0;
                    }
                }
            }
        }
    }

    /** A day's count as {@code care_reading_days} gives it. */
    void count(int metric, LocalDate day, int readings) {
        months.computeIfAbsent(metric, k -> new TreeMap<>())
                .computeIfAbsent(day.withDayOfMonth(1), m -> new int[m.lengthOfMonth()])[day.getDayOfMonth() - 1] =
                readings;
    }

    /**
     * Adds the patient's rows to {@code put}'s batch, by metric and month (the order every recount locks them in): a
     * month without readings only where a row is stored already.
     */
    void addTo(Connection c, PreparedStatement put, long patientId) throws SQLException {
        for (Map.Entry<Integer, Map<LocalDate, int[]>> m : months.entrySet()) {
            for (Map.Entry<LocalDate, int[]> e : m.getValue().entrySet()) {
                boolean empty = Arrays.stream(e.getValue()).allMatch(n -> n == 0);
                if (empty && !stored.contains(m.getKey() + "/" + e.getKey())) {
                    continue;
                }
                put.setLong(1, patientId);
                put.setShort(2, (short) (int) m.getKey());
                put.setDate(3, Date.valueOf(e.getKey()));
                put.setArray(4, c.createArrayOf("int4", Arrays.stream(e.getValue()).boxed().toArray()));
                put.setInt(5, Arrays.stream(e.getValue()).sum());
                put.addBatch();
            }
        }
    }
}
