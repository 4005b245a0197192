package org.vigil.ingest.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Objects;
import javax.sql.DataSource;
import org.vigil.common.model.Metric;

/** Reads stored readings back for the API. Blocking; call from a worker thread. */
public final class ReadingQueries {

    /** Keyset-paged on the unique index order, so a page never skips or repeats a row. */
    private static final String SELECT_READINGS = """
            SELECT ts, metric, value, device_id, context FROM reading
             WHERE patient_id = ? AND (?::smallint IS NULL OR metric = ?) AND ts >= ? AND ts < ?
               AND (ts, metric, device_id) > (?, ?, ?)
             ORDER BY ts, metric, device_id
             LIMIT ?""";
    /** The patient exists and, for a doctor, is in her scope (a null scope is an administrator: every patient). */
    private static final String PATIENT_VISIBLE =
            "SELECT 1 FROM registry_patient WHERE id = ? AND (?::bigint IS NULL OR doctor_sees_patient(?, id))";

    /**
     * One metric over a period in time buckets (mean, min, max, count per bucket), for charts of long ranges: a
     * wearable's reading a minute over 90 days is 2,160 hourly points, not 129,600 readings.
     */
    private static final String SELECT_BUCKETS = """
            SELECT date_bin(make_interval(secs => ?), ts, TIMESTAMPTZ '2000-01-01') AS bucket,
                   avg(value), min(value), max(value), count(*)
              FROM reading
             WHERE patient_id = ? AND metric = ? AND ts >= ? AND ts < ?
             GROUP BY bucket ORDER BY bucket""";

    /** The newest reading of each metric, one index probe per metric (reading_identity ends in ts). */
    private static final String SELECT_LATEST = """
            SELECT m.code, r.ts, r.value FROM metric m
              CROSS JOIN LATERAL (SELECT ts, value FROM reading
                                   WHERE patient_id = ? AND metric = m.code ORDER BY ts DESC LIMIT 1) r
             ORDER BY m.code""";

    /** Where the next page starts: after this (ts, metric, device) key. */
    public record Cursor(Instant ts, int metric, long deviceId) {

        static final Cursor START = new Cursor(Instant.EPOCH, 0, 0);

        public String encode() {
            return ts.toEpochMilli() + "." + (ts.getNano() % 1_000_000) + "." + metric + "." + deviceId;
        }

        /** Decodes {@link #encode()}'s form, or returns {@code null} when the text is not one. */
        public static Cursor decode(String text) {
            String[] parts = text.split("\\.");
            if (parts.length != 4) {
                return null;
            }
            try {
                Instant ts = Instant.ofEpochMilli(Long.parseLong(parts[0])).plusNanos(Long.parseLong(parts[1]));
                return new Cursor(ts, Integer.parseInt(parts[2]), Long.parseLong(parts[3]));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private final DataSource dataSource;

    public ReadingQueries(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * The patient's readings of one metric in buckets of {@code bucketSeconds}: {@code {"items": [{"ts", "value"
     * (the mean), "min", "max", "count"}]}}, oldest first; {@code null} when the patient is not visible to the caller.
     */
    public JsonObject buckets(long patientId, Long doctorScope, Metric metric, Instant from, Instant to,
            long bucketSeconds) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!visible(c, patientId, doctorScope)) {
                return null;
            }
            try (PreparedStatement ps = c.prepareStatement(SELECT_BUCKETS)) {
                ps.setDouble(1, bucketSeconds);
                ps.setLong(2, patientId);
                ps.setInt(3, metric.code());
                ps.setTimestamp(4, Timestamp.from(from));
                ps.setTimestamp(5, Timestamp.from(to));
                JsonArray items = new JsonArray();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(new JsonObject()
                                .put("ts", rs.getTimestamp(1).toInstant().toString())
                                .put("value", rs.getDouble(2))
                                .put("min", rs.getDouble(3))
                                .put("max", rs.getDouble(4))
                                .put("count", rs.getLong(5)));
                    }
                }
                return new JsonObject().put("items", items);
            }
        }
    }

    /**
     * The newest reading of each metric the patient has: {@code {"items": [{"ts", "metric", "value", "unit"}]}};
     * {@code null} when the patient is not visible to the caller.
     */
    public JsonObject latest(long patientId, Long doctorScope) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!visible(c, patientId, doctorScope)) {
                return null;
            }
            try (PreparedStatement ps = c.prepareStatement(SELECT_LATEST)) {
                ps.setLong(1, patientId);
                JsonArray items = new JsonArray();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Metric m = Metric.byCode(rs.getInt(1));
                        items.add(new JsonObject().put("ts", rs.getTimestamp(2).toInstant().toString())
                                .put("metric", m.wireName()).put("value", rs.getDouble(3)).put("unit", m.ucum()));
                    }
                }
                return new JsonObject().put("items", items);
            }
        }
    }

    private static boolean visible(Connection c, long patientId, Long doctorScope) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(PATIENT_VISIBLE)) {
            ps.setLong(1, patientId);
            ps.setObject(2, doctorScope, java.sql.Types.BIGINT);
            ps.setObject(3, doctorScope, java.sql.Types.BIGINT);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * A page {@code {"items": [{"ts", "metric", "value", "unit", "deviceId", "context"?}], "next"?}} of the patient's
     * readings in measurement order, or {@code null} when there is no such patient visible to the caller.
     *
     * @param doctorScope the doctor whose patients the caller may read, or {@code null} for every patient
     */
    public JsonObject readings(long patientId, Long doctorScope, Metric metric, Instant from, Instant to, Cursor after,
            int limit) throws SQLException {
        Cursor cursor = after == null ? Cursor.START : after;
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(PATIENT_VISIBLE)) {
                ps.setLong(1, patientId);
                ps.setObject(2, doctorScope, java.sql.Types.BIGINT);
                ps.setObject(3, doctorScope, java.sql.Types.BIGINT);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(SELECT_READINGS)) {
                Integer code = metric == null ? null : metric.code();
                ps.setLong(1, patientId);
                ps.setObject(2, code);
                ps.setObject(3, code);
                ps.setTimestamp(4, Timestamp.from(from));
                ps.setTimestamp(5, Timestamp.from(to));
                ps.setTimestamp(6, Timestamp.from(cursor.ts()));
                ps.setInt(7, cursor.metric());
                ps.setLong(8, cursor.deviceId());
                ps.setInt(9, limit);
                JsonArray items = new JsonArray();
                Cursor last = null;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Instant ts = rs.getTimestamp(1).toInstant();
                        Metric m = Metric.byCode(rs.getInt(2));
                        long deviceId = rs.getLong(4);
                        JsonObject item = new JsonObject()
                                .put("ts", ts.toString())
                                .put("metric", m.wireName())
                                .put("value", rs.getDouble(3))
                                .put("unit", m.ucum())
                                .put("deviceId", deviceId);
                        org.vigil.common.model.MeasurementContext context =
                                org.vigil.common.model.MeasurementContext.byCode(rs.getShort(5));
                        if (context != null) {
                            item.put("context", context.wireName());
                        }
                        items.add(item);
                        last = new Cursor(ts, m.code(), deviceId);
                    }
                }
                JsonObject page = new JsonObject().put("items", items);
                if (items.size() == limit && last != null) {
                    page.put("next", last.encode());
                }
                return page;
            }
        }
    }
}
