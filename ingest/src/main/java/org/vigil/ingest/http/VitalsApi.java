package org.vigil.ingest.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.UnaryOperator;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.Json;
import org.vigil.common.http.Principal;
import org.vigil.common.audit.AuditLog;
import io.vertx.core.json.JsonObject;
import org.vigil.common.model.Metric;
import org.vigil.ingest.store.ReadingQueries;

/**
 * {@code GET /api/v1/patients/{id}/vitals?metric=&from=&to=&limit=&after=}: a patient's stored readings; and
 * {@code GET /api/v1/patients/{id}/vitals/series?metric=&from=&to=}: one metric for a chart, raw over short periods
 * and down-sampled on the server over long ones (see {@link #bucketFor(Duration)}).
 */
public record VitalsApi(Vertx vertx, ReadingQueries queries, AuditLog audit) {

    private static final int PAGE_MAX = 10_000;
    private static final Duration RAW_UP_TO = Duration.ofDays(2);
    private static final int RAW_MAX = 5_000;

    public void mount(Router api) {
        api.get("/patients/:id/vitals").handler(this::vitals);
        api.get("/patients/:id/vitals/series").handler(this::series);
        api.get("/patients/:id/vitals/latest").handler(this::latest);
    }

    /** Raw up to two days (a wearable's minute readings: 2,880 points); beyond, buckets keeping about 2,000 points. */
    static Duration bucketFor(Duration range) {
        if (range.compareTo(RAW_UP_TO) <= 0) {
            return Duration.ZERO;
        }
        if (range.compareTo(Duration.ofDays(8)) <= 0) {
            return Duration.ofMinutes(5);
        }
        if (range.compareTo(Duration.ofDays(100)) <= 0) {
            return Duration.ofHours(1);
        }
        return Duration.ofDays(1);
    }

    /** The newest reading of each metric, for a list of patients. */
    private void latest(RoutingContext ctx) {
        long patientId = Json.pathId(ctx, "id", "patient");
        readVitals(ctx, patientId, AuditLog.detail("latest", true), scope -> queries.latest(patientId, scope),
                latest -> latest);
    }

    private void series(RoutingContext ctx) {
        long patientId = Json.pathId(ctx, "id", "patient");
        String metricName = ctx.queryParams().get("metric");
        Metric metric = metricName == null ? null : Metric.byName(metricName);
        if (metric == null) {
            throw ApiException.invalid("metric", "metric must be one of the README's metrics");
        }
        Instant to = Json.queryInstant(ctx, "to");
        Instant from = Json.queryInstant(ctx, "from");
        Instant t = to == null ? Instant.now() : to;
        Instant f = from == null ? t.minus(Duration.ofDays(7)) : from;
        if (!f.isBefore(t)) {
            throw ApiException.invalid("from", "from must be before to");
        }
        if (Duration.between(f, t).compareTo(Duration.ofDays(400)) > 0) {
            throw ApiException.invalid("from", "a series spans at most 400 days");
        }
        Duration bucket = bucketFor(Duration.between(f, t));
        readVitals(ctx, patientId, AuditLog.detail("metric", metric.wireName(), "from", f.toString(), "to", t.toString()),
                scope -> bucket.isZero()
                        ? queries.readings(patientId, scope, metric, f, t, null, RAW_MAX)
                        : queries.buckets(patientId, scope, metric, f, t, bucket.toSeconds()),
                page -> {
                    JsonObject series = new JsonObject().put("metric", metric.wireName()).put("unit", metric.ucum())
                            .put("from", f.toString()).put("to", t.toString())
                            .put("items", page.getJsonArray("items"));
                    if (!bucket.isZero()) {
                        series.put("bucket", bucket.toString());
                    }
                    return series;
                });
    }

    private void vitals(RoutingContext ctx) {
        long patientId = Json.pathId(ctx, "id", "patient");
        String metricName = ctx.queryParams().get("metric");
        Metric metric = null;
        if (metricName != null && !metricName.isBlank()) {
            metric = Metric.byName(metricName);
            if (metric == null) {
                throw ApiException.invalid("metric", "unknown metric '" + metricName + "'");
            }
        }
        Instant from = Json.queryInstant(ctx, "from");
        Instant to = Json.queryInstant(ctx, "to");
        if (from == null) {
            from = Instant.EPOCH;
        }
        if (to == null) {
            // Readings may be stamped slightly ahead by a fast device clock.
            to = Instant.now().plus(1, ChronoUnit.DAYS);
        }
        if (!from.isBefore(to)) {
            throw ApiException.invalid("from", "from must be before to");
        }
        String afterText = ctx.queryParams().get("after");
        ReadingQueries.Cursor after = null;
        if (afterText != null && !afterText.isBlank()) {
            after = ReadingQueries.Cursor.decode(afterText);
            if (after == null) {
                throw ApiException.invalid("after", "after must be the 'next' value of a previous page");
            }
        }
        int limit = Json.queryInt(ctx, "limit", 1000, 1, PAGE_MAX);
        Metric m = metric;
        Instant f = from;
        Instant t = to;
        ReadingQueries.Cursor a = after;
        readVitals(ctx, patientId,
                AuditLog.detail("metric", m == null ? null : m.wireName(), "from", f.toString(), "to", t.toString()),
                scope -> queries.readings(patientId, scope, m, f, t, a, limit), page -> page);
    }

    /** A read of one patient's readings within a doctor's scope ({@code null}: all); {@code null} when not seen. */
    private interface PatientRead {
        JsonObject run(Long doctorScope) throws SQLException;
    }

    /**
     * Runs {@code read} for the caller on a worker: what it finds is audited as a read of the patient's vitals
     * with {@code detail} and answered as {@code reply} shapes it; a patient the caller does not see is not found.
     */
    private void readVitals(RoutingContext ctx, long patientId, JsonObject detail, PatientRead read,
                            UnaryOperator<JsonObject> reply) {
        Principal who = Principal.of(ctx);
        vertx.executeBlocking(() -> {
                    JsonObject found = read.run(who.doctorId());
                    if (found != null) {
                        audit.append(new AuditLog.Event(who.name(), "vitals.read", "patient", patientId, patientId,
                                detail));
                    }
                    return found;
                }, false)
                .onSuccess(found -> {
                    if (found == null) {
                        ctx.fail(ApiException.notFound("patient " + patientId));
                    } else {
                        ctx.json(reply.apply(found));
                    }
                })
                .onFailure(ctx::fail);
    }
}
