package org.vigil.alerting.store;

import org.vigil.common.model.Condition;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.postgresql.PGStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.core.json.JsonObject;
import org.vigil.alerting.clinical.ClinicalEngine;
import org.vigil.alerting.clinical.ExpectedMeasurement;
import org.vigil.alerting.clinical.KnownAlert;
import org.vigil.alerting.config.CarePlans;
import org.vigil.alerting.clinical.PatientProfile;
import org.vigil.common.bus.LogStreams;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;
import org.vigil.common.model.Severity;

/**
 * What the clinical engine needs to take over a patient it has not seen since it started: the patient's
 * profile (conditions and care plan), the readings of the engine's lookback and the newest alert per
 * rule. Read in one repeatable-read transaction, so history and alerts agree. Blocking: call from a worker.
 */
public final class PatientHistoryStore {

    private static final Logger LOG = LoggerFactory.getLogger(PatientHistoryStore.class);

    private static final String PROFILES = """
            SELECT p.conditions, p.created_at,
                   (SELECT cp.plan::text FROM registry_care_plan cp WHERE cp.patient_id = p.id ORDER BY cp.version DESC LIMIT 1),
                   p.id
              FROM registry_patient p WHERE p.id = ANY (?)""";
    /** Patients whose current care plan expects measurements: missing data is watched from start-up on. */
    private static final String EXPECTING = """
            SELECT DISTINCT ON (patient_id) patient_id, jsonb_array_length(COALESCE(plan -> 'expected', '[]'::jsonb)) > 0
              FROM registry_care_plan ORDER BY patient_id, version DESC""";
    /**
     * The newest reading of a metric from before the lookback: missing data counts from it, so a weight expected
     * every two weeks and last taken 16 days ago is not "missing since monitoring began" after a restart.
     */
    private static final String NEWEST_BEFORE = """
            SELECT device_id, ts, value FROM ingest_reading
             WHERE patient_id = ? AND metric = ? AND ts < ? ORDER BY ts DESC LIMIT 1""";
    /** Connection state of the devices bound to the patients now, as the MQTT endpoints last wrote it. */
    private static final String DEVICES = """
            SELECT b.patient_id, d.id, d.connected, d.connection_changed_at FROM registry_device d
              JOIN registry_device_binding b ON b.device_id = d.id AND b.valid_from <= now()
                                   AND (b.valid_to IS NULL OR b.valid_to > now())
             WHERE b.patient_id = ANY (?) AND d.connection_changed_at IS NOT NULL""";
    /**
     * Unordered: a wearer has tens of thousands of readings in the lookback, and ordering a batch's rows by time made
     * the database sort millions of them on disk; each patient's are put in order here instead.
     */
    private static final String HISTORY = """
            SELECT patient_id, device_id, metric, ts, value, log_pos FROM ingest_reading
             WHERE patient_id = ANY (?) AND ts >= ?""";
    /** For each patient and rule, the active alert, else the newest resolved within the history. */
    private static final String KNOWN = """
            SELECT DISTINCT ON (patient_id, rule) patient_id, rule, severity, status <> 'resolved' AS active, last_measured_at
              FROM alert
             WHERE patient_id = ANY (?) AND (status <> 'resolved' OR resolved_at >= ? OR last_measured_at >= ?)
             ORDER BY patient_id, rule, (status <> 'resolved') DESC, id DESC""";

    private final DataSource dataSource;

    public PatientHistoryStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * Loads a patient as of {@code now}, with readings measured since {@code now - lookback}.
     *
     * @return empty when the patient does not exist
     */
    public Optional<PatientSnapshot> load(long patientId, Duration lookback, Instant now) throws SQLException {
        return Optional.ofNullable(loadAll(List.of(patientId), lookback, now).get(patientId));
    }

    /**
     * Loads patients as {@link #load} does, in one transaction and a handful of queries for all of them: a rebuild
     * of tens of thousands of patients (a node given partitions, or starting) pays per batch, not per patient.
     *
     * @return the snapshot of each patient that exists
     */
    public Map<Long, PatientSnapshot> loadAll(Collection<Long> patientIds, Duration lookback, Instant now)
            throws SQLException {
        return loadAll(patientIds, lookback, now, null);
    }

    /**
     * Loads patients as {@link #loadAll(Collection, Duration, Instant)} does, those with saved engine state of
     * {@code savedStates}' owner and fingerprint with that state and only the readings it does not hold: a wearer's 16 days
     * are tens of thousands of readings, what was stored after her state was saved some minutes.
     *
     * @param savedStates which saved state to use, or {@code null} for none
     */
    public Map<Long, PatientSnapshot> loadAll(Collection<Long> patientIds, Duration lookback, Instant now,
                                       EngineStateStore.SavedStates savedStates) throws SQLException {
        Timestamp since = Timestamp.from(now.minus(lookback));
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                Map<Long, PatientSnapshot> snapshots = loadAll(c, patientIds, since, savedStates);
                c.commit();
                return snapshots;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
        }
    }

    /** The patient's current profile (after a registry change), or empty when she does not exist. */
    public Optional<PatientProfile> profile(long patientId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return profile(c, patientId);
        }
    }

    /** Ids of the patients whose care plan expects measurements. */
    public List<Long> patientsExpectingMeasurements() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(EXPECTING);
             ResultSet rs = ps.executeQuery()) {
            List<Long> ids = new ArrayList<>();
            while (rs.next()) {
                if (rs.getBoolean(2)) {
                    ids.add(rs.getLong(1));
                }
            }
            return ids;
        }
    }

    private Optional<PatientProfile> profile(Connection c, long patientId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(PROFILES)) {
            ps.setArray(1, c.createArrayOf("bigint", new Object[] {patientId}));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(profile(patientId, rs)) : Optional.empty();
            }
        }
    }

    private static PatientProfile profile(long patientId, ResultSet rs) throws SQLException {
        CarePlans.Plan plan = CarePlans.Plan.NONE;
        String text = rs.getString(3);
        if (text != null) {
            try {
                plan = CarePlans.read(new JsonObject(text));
            } catch (RuntimeException e) {
                // The registry checks plans before storing them; one that fails here is newer than this
                // node's rules. Default rules still apply.
                LOG.warn("Care plan ignored [patient: {}]: {}", patientId, e.getMessage());
            }
        }
        return new PatientProfile(patientId, conditions(patientId, rs.getArray(1)), plan.overrides(), plan.expected(),
                rs.getTimestamp(2).toInstant());
    }

    /** What one patient's snapshot is made of, filled query by query. */
    private static final class Parts {
        final PatientProfile profile;
        final List<Reading> history = new ArrayList<>();
        final Map<Long, Long> positions = new HashMap<>();
        final List<KnownAlert> known = new ArrayList<>();
        final List<PatientSnapshot.DeviceState> devices = new ArrayList<>();
        EngineStateStore.Saved saved;
        long since;

        Parts(PatientProfile profile, long since) {
            this.profile = profile;
            this.since = since;
        }

        void add(ResultSet rs) throws SQLException {
            long ts = rs.getTimestamp(4).getTime();
            long position = rs.getLong(6);
            boolean positioned = !rs.wasNull();
            if (positioned) {
                positions.merge(LogStreams.streamOf(position), position, Math::max);
            }
            if (saved != null && (ts < since || !positioned || saved.holds(LogStreams.streamOf(position), position))) {
                return;
            }
            history.add(new Reading(rs.getLong(2), profile.patientId(), Metric.byCode(rs.getInt(3)), ts,
                    rs.getDouble(5)));
        }

        PatientSnapshot snapshot() {
            return new PatientSnapshot(profile, history, known, devices, positions, saved, since);
        }
    }

    private Map<Long, PatientSnapshot> loadAll(Connection c, Collection<Long> patientIds, Timestamp since,
                                        EngineStateStore.SavedStates savedStates) throws SQLException {
        Map<Long, Parts> parts = new LinkedHashMap<>();
        Array ids = c.createArrayOf("bigint", new HashSet<>(patientIds).toArray());
        try (PreparedStatement ps = c.prepareStatement(PROFILES)) {
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(4);
                    parts.put(id, new Parts(profile(id, rs), since.getTime()));
                }
            }
        }
        if (parts.isEmpty()) {
            return Map.of();
        }
        if (savedStates != null) {
            EngineStateStore.read(c, ids, savedStates).forEach((id, saved) -> {
                Parts p = parts.get(id);
                if (p != null) {
                    // Her history is then what the state does not hold: from the late horizon before it was saved
                    // (an older reading stored since changes no window), or from the lookback if that is later.
                    p.saved = saved;
                    p.since = Math.max(p.since, saved.savedAt() - savedStates.lateHorizon().toMillis());
                }
            });
        }
        // Patients with saved state read from a later time: the readings it holds are told apart here, per stream (a
        // stream the state has not heard of may hold older positions than one it has).
        List<Long> whole = new ArrayList<>();
        List<Long> tails = new ArrayList<>();
        long tailsSince = Long.MAX_VALUE;
        for (Parts p : parts.values()) {
            if (p.saved == null) {
                whole.add(p.profile.patientId());
            } else {
                tails.add(p.profile.patientId());
                tailsSince = Math.min(tailsSince, p.since);
            }
        }
        if (!whole.isEmpty()) {
            readings(c, parts, c.createArrayOf("bigint", whole.toArray()), since);
        }
        if (!tails.isEmpty()) {
            readings(c, parts, c.createArrayOf("bigint", tails.toArray()), new Timestamp(tailsSince));
        }
        for (Parts p : parts.values()) {
            if (p.saved == null) {
                newestBefore(c, p, since);
            }
            p.history.sort(ClinicalEngine.MEASUREMENT_ORDER);
        }
        try (PreparedStatement ps = c.prepareStatement(KNOWN)) {
            ps.setArray(1, ids);
            ps.setTimestamp(2, since);
            ps.setTimestamp(3, since);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Parts p = parts.get(rs.getLong(1));
                    if (p != null) {
                        p.known.add(new KnownAlert(rs.getString(2), Severity.fromWire(rs.getString(3)),
                                rs.getBoolean(4), rs.getTimestamp(5).getTime()));
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(DEVICES)) {
            ps.setArray(1, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Parts p = parts.get(rs.getLong(1));
                    if (p != null) {
                        p.devices.add(new PatientSnapshot.DeviceState(rs.getLong(2), rs.getBoolean(3), rs.getTimestamp(4).toInstant()));
                    }
                }
            }
        }
        Map<Long, PatientSnapshot> snapshots = new HashMap<>();
        parts.forEach((id, p) -> snapshots.put(id, p.snapshot()));
        return snapshots;
    }

    private static void readings(Connection c, Map<Long, Parts> parts, Array ids, Timestamp since)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(HISTORY)) {
            // Binary rows: parsing a wearer's tens of thousands of timestamps and numbers from text took more of the
            // node's CPU than replaying them (the driver switches only after a statement's fifth use on a connection).
            ps.unwrap(PGStatement.class).setPrepareThreshold(-1);
            ps.setArray(1, ids);
            ps.setTimestamp(2, since);
            ps.setFetchSize(5_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Parts p = parts.get(rs.getLong(1));
                    if (p != null) {
                        p.add(rs);
                    }
                }
            }
        }
    }

    /** An expected metric with no reading in the lookback counts as missing from its newest reading before it. */
    private static void newestBefore(Connection c, Parts p, Timestamp since) throws SQLException {
        for (ExpectedMeasurement e : p.profile.expected()) {
            Metric metric = e.metric();
            if (p.history.stream().anyMatch(r -> r.metric() == metric)) {
                continue;
            }
            try (PreparedStatement ps = c.prepareStatement(NEWEST_BEFORE)) {
                ps.setLong(1, p.profile.patientId());
                ps.setInt(2, metric.code());
                ps.setTimestamp(3, since);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        p.history.add(new Reading(rs.getLong(1), p.profile.patientId(), metric,
                                rs.getTimestamp(2).getTime(), rs.getDouble(3)));
                    }
                }
            }
        }
    }

    private static Set<Condition> conditions(long patientId, Array array) throws SQLException {
        Set<Condition> conditions = EnumSet.noneOf(Condition.class);
        if (array == null) {
            return conditions;
        }
        for (Object value : (Object[]) array.getArray()) {
            Condition condition = Condition.NAMES.find(String.valueOf(value));
            if (condition != null) {
                conditions.add(condition);
            } else {
                // The registry validates conditions; an unknown one is newer than this node's rules.
                LOG.warn("Unknown condition ignored [patient: {}, condition: {}]", patientId, value);
            }
        }
        return conditions;
    }
}
