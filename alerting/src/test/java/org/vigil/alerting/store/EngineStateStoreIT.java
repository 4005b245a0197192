package org.vigil.alerting.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;

/**
 * Saved engine state against a real PostgreSQL: a patient with state of the engine's fingerprint is loaded with it
 * and only the readings it does not hold; the others, and state of other rules, get their whole history.
 */
@Timeout(60)
class EngineStateStoreIT {

    @RegisterExtension
    static final StoreDatabase db = new StoreDatabase();

    private static final Instant NOW = Instant.parse("2026-11-22T08:00:00Z");
    private static final Instant SAVED_AT = NOW.minus(Duration.ofMinutes(5));
    private static final long FINGERPRINT = 0x5eed;
    private static final EngineStateStore.SavedStates SAVED =
            new EngineStateStore.SavedStates(EngineStateStore.CLUSTER, FINGERPRINT, Duration.ofDays(1));
    private static final long STREAM = 5L << 32;
    private static final long NEWER_STREAM = 6L << 32;
    private static final long OLDER_STREAM = 4L << 32;

    private static long newPatient() throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO patient (name, conditions) VALUES ('P', '{copd}') RETURNING id");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Her wearable's SpO2 at these times before now (value: the minutes, to tell them apart), at these positions. */
    private static void readings(long patient, long[][] minutesAgoAndPosition) throws SQLException {
        try (Connection c = db.connection(); Statement s = c.createStatement()) {
            for (long[] r : minutesAgoAndPosition) {
                s.execute("INSERT INTO reading (ts, patient_id, metric, device_id, value, log_pos) VALUES (to_timestamp("
                        + NOW.minus(Duration.ofMinutes(r[0])).getEpochSecond() + "), " + patient + ", "
                        + Metric.SPO2.code() + ", 9, " + r[0] + ", " + r[1] + ")");
            }
        }
    }

    private static final long[][] STORED = {
            {14 * 24 * 60, STREAM + 1}, // two weeks ago: in the saved state
            {60, STREAM + 2},           // an hour ago: in the saved state
            {30, STREAM + 3},           // stored after it was saved
            {3 * 24 * 60, STREAM + 4},  // stored after it, measured three days ago: older than the late horizon
            {20, OLDER_STREAM + 9},     // a stream the state never heard of, numbered below its own
            {10, NEWER_STREAM + 1}};    // a stream started since

    @Test
    void aPatientWithSavedStateGetsItAndOnlyTheReadingsItDoesNotHold() throws Exception {
        long resumed = newPatient();
        long whole = newPatient();
        readings(resumed, STORED);
        readings(whole, STORED);
        byte[] state = {1, 2, 3, 4};
        assertThat(db.states.save(FINGERPRINT, SAVED_AT,
                List.of(new EngineStateStore.State(resumed, state, List.of(STREAM + 2))))).isEqualTo(4);

        Map<Long, PatientSnapshot> loaded =
                db.history.loadAll(List.of(resumed, whole), Duration.ofDays(16), NOW, SAVED);

        PatientSnapshot r = loaded.get(resumed);
        assertThat(r.saved().state()).containsExactly(1, 2, 3, 4);
        assertThat(r.saved().positions()).containsExactly(Map.entry(5L, STREAM + 2));
        assertThat(r.history()).extracting(Reading::value).containsExactly(30.0, 20.0, 10.0);
        assertThat(r.since()).isEqualTo(SAVED_AT.minus(Duration.ofDays(1)).toEpochMilli());
        assertThat(r.positions()).containsEntry(5L, STREAM + 3).containsEntry(4L, OLDER_STREAM + 9)
                .containsEntry(6L, NEWER_STREAM + 1);

        PatientSnapshot w = loaded.get(whole);
        assertThat(w.saved()).isNull();
        assertThat(w.history()).extracting(Reading::value)
                .containsExactly(14 * 24 * 60.0, 3 * 24 * 60.0, 60.0, 30.0, 20.0, 10.0);
        assertThat(w.since()).isEqualTo(NOW.minus(Duration.ofDays(16)).toEpochMilli());
    }

    @Test
    void stateOfOtherRulesIsNotUsedAndASaveReplacesTheLast() throws Exception {
        long patient = newPatient();
        readings(patient, STORED);
        db.states.save(FINGERPRINT + 1, SAVED_AT, List.of(new EngineStateStore.State(patient, new byte[] {9},
                List.of(STREAM + 2))));

        PatientSnapshot other = db.history.loadAll(List.of(patient), Duration.ofDays(16), NOW, SAVED)
                .get(patient);
        assertThat(other.saved()).as("written under other rules").isNull();
        assertThat(other.history()).hasSize(STORED.length);
        assertThat(db.history.loadAll(List.of(patient), Duration.ofDays(16), NOW, null).get(patient).saved())
                .as("not asked for").isNull();

        db.states.save(FINGERPRINT, SAVED_AT, List.of(new EngineStateStore.State(patient, new byte[] {7},
                List.of(STREAM + 3, NEWER_STREAM + 1))));
        PatientSnapshot mine = db.history.loadAll(List.of(patient), Duration.ofDays(16), NOW, SAVED)
                .get(patient);
        assertThat(mine.saved().state()).containsExactly(7);
        assertThat(mine.history()).extracting(Reading::value).containsExactly(20.0);
    }

    @Test
    void eachOwnerReadsItsOwnState() throws Exception {
        long patient = newPatient();
        readings(patient, STORED);
        EngineStateStore nodeA = new EngineStateStore(db.database.dataSource(), EngineStateStore.node("a"));
        EngineStateStore nodeB = new EngineStateStore(db.database.dataSource(), EngineStateStore.node("b"));
        nodeA.save(FINGERPRINT, SAVED_AT, List.of(new EngineStateStore.State(patient, new byte[] {'a'},
                List.of(STREAM + 2))));
        nodeB.save(FINGERPRINT, SAVED_AT, List.of(new EngineStateStore.State(patient, new byte[] {'b'},
                List.of(STREAM + 3))));

        assertThat(loadWith(nodeA, patient).saved().state()).containsExactly('a');
        assertThat(loadWith(nodeB, patient).saved().state()).containsExactly('b');
        assertThat(loadWith(new EngineStateStore(db.database.dataSource(), EngineStateStore.node("c")), patient).saved())
                .as("a node that saved nothing").isNull();
        assertThat(db.history.loadAll(List.of(patient), Duration.ofDays(16), NOW, SAVED).get(patient).saved())
                .as("the cluster's").isNull();
    }

    private static PatientSnapshot loadWith(EngineStateStore store, long patient) throws SQLException {
        return db.history.loadAll(List.of(patient), Duration.ofDays(16), NOW,
                store.savedStates(FINGERPRINT, Duration.ofDays(1))).get(patient);
    }

    @Test
    void statesSavedBeforeACutAreDeletedTheOthersKept() throws Exception {
        long quiet = newPatient();
        long active = newPatient();
        db.states.save(FINGERPRINT, NOW.minus(Duration.ofDays(20)),
                List.of(new EngineStateStore.State(quiet, new byte[] {1}, List.of(STREAM + 1))));
        db.states.save(FINGERPRINT, SAVED_AT, List.of(new EngineStateStore.State(active, new byte[] {2}, List.of())));

        assertThat(db.states.prune(NOW.minus(Duration.ofDays(16)))).isEqualTo(1);

        Map<Long, PatientSnapshot> loaded =
                db.history.loadAll(List.of(quiet, active), Duration.ofDays(16), NOW, SAVED);
        assertThat(loaded.get(quiet).saved()).isNull();
        assertThat(loaded.get(active).saved().state()).containsExactly(2);
        assertThat(db.states.prune(NOW.minus(Duration.ofDays(16)))).isZero();
    }
}
