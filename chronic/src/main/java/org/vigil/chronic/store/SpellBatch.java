package org.vigil.chronic.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The transaction of {@link StatusStore#record(List, Instant)}: many patients' evaluations recorded with the same
 * decisions as the single path, in six statements whatever their number.
 */
final class SpellBatch {

    /**
     * The transaction locks of many patients (class 1987; 1986 is the ingest log streams'), taken in the order given
     * (ascending ids: two such batches cannot deadlock).
     */
    private static final String LOCK_PATIENTS = """
            SELECT pg_advisory_xact_lock(1987, (u.id % 2147483647)::int)
              FROM unnest(?::bigint[]) WITH ORDINALITY AS u (id, n) ORDER BY u.n""";
    private static final String CURRENT_STATUSES = """
            SELECT patient_id, condition, status, since_at FROM control_status
             WHERE patient_id = ANY (?) AND until_at IS NULL FOR UPDATE""";

    private SpellBatch() {
    }

    static List<Instant> write(Connection c, List<StatusStore.Evaluation> evaluations, Instant now) throws SQLException {
        Timestamp stamp = Timestamp.from(now);
        Array ids = c.createArrayOf("int8",
                evaluations.stream().map(StatusStore.Evaluation::patientId).distinct().sorted().toArray());
        // One evaluation of a patient at a time: a doctor's read and the sweep may evaluate her together, and under
        // READ COMMITTED the later transaction would otherwise close a spell it never read, with its own earlier
        // instant (an end before the start). Waiting here, it reads that spell and the checks below apply.
        try (PreparedStatement lock = c.prepareStatement(LOCK_PATIENTS)) {
            lock.setArray(1, ids);
            lock.execute();
        }
        // patient/condition -> the current spell's status and start
        Map<String, Object[]> current = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(CURRENT_STATUSES)) {
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    current.put(rs.getLong(1) + "/" + rs.getString(2),
                            new Object[] {rs.getString(3), rs.getTimestamp(4).toInstant()});
                }
            }
        }
        List<Instant> since = new ArrayList<>();
        try (PreparedStatement update = c.prepareStatement(StatusStore.UPDATE_STATUS);
             PreparedStatement replace = c.prepareStatement(StatusStore.REPLACE_STATUS);
             PreparedStatement close = c.prepareStatement(StatusStore.CLOSE_STATUS);
             PreparedStatement open = c.prepareStatement(StatusStore.OPEN_STATUS)) {
            for (StatusStore.Evaluation e : evaluations) {
                String condition = e.result().condition().wireName();
                String status = e.result().status().wireName();
                Object[] spell = current.get(e.patientId() + "/" + condition);
                // As the single path decides: unchanged keeps the spell; one that began now takes the new status.
                if (spell != null && (spell[0].equals(status) || !((Instant) spell[1]).isBefore(now))) {
                    PreparedStatement ps = spell[0].equals(status) ? update : replace;
                    int i = 1;
                    if (ps == replace) {
                        ps.setString(i++, status);
                    }
                    ps.setString(i++, e.figures().encode());
                    ps.setTimestamp(i++, stamp);
                    ps.setLong(i++, e.patientId());
                    ps.setString(i, condition);
                    ps.addBatch();
                    since.add((Instant) spell[1]);
                    continue;
                }
                if (spell != null) {
                    close.setTimestamp(1, stamp);
                    close.setLong(2, e.patientId());
                    close.setString(3, condition);
                    close.addBatch();
                }
                open.setLong(1, e.patientId());
                open.setString(2, condition);
                open.setString(3, status);
                open.setTimestamp(4, stamp);
                open.setString(5, e.figures().encode());
                open.setTimestamp(6, stamp);
                open.addBatch();
                since.add(now);
            }
            // Closes before the new spells: the current spell of a patient and condition is unique.
            update.executeBatch();
            replace.executeBatch();
            close.executeBatch();
            open.executeBatch();
        }
        return since;
    }
}
