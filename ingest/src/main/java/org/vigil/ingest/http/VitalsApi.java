package org.vigil.ingest.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.Json;
import org.vigil.common.http.Principal;
import org.vigil.common.audit.AuditLog;
import io.vertx.core.json.JsonObject;
import org.vigil.common.model.Metric;
import org.vigil.ingest.store.ReadingQueries;

/** {@code GET /api/v1/patients/{id}/vitals?metric=&from=&to=&limit=&after=}: a patient's stored readings. */
public final class VitalsApi {

    private static final int PAGE_MAX = 10_000;

    private final Vertx vertx;
    private final ReadingQueries queries;
    private final AuditLog audit;

    public VitalsApi(Vertx vertx, ReadingQueries queries, AuditLog audit) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.queries = Objects.requireNonNull(queries, "queries");
        this.audit = Objects.requireNonNull(audit, "audit");
    }

    public void mount(Router api) {
        api.get("/patients/:id/vitals").handler(this::vitals);
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
        Principal who = Principal.of(ctx);
        vertx.executeBlocking(() -> {
                    JsonObject page = queries.readings(patientId, who.doctorId(), m, f, t, a, limit);
                    if (page != null) {
                        audit.append(new AuditLog.Event(who.name(), "vitals.read", "patient", patientId, patientId,
                                AuditLog.detail("metric", m == null ? null : m.wireName(), "from", f.toString(),
                                        "to", t.toString())));
                    }
                    return page;
                }, false)
                .onSuccess(page -> {
                    if (page == null) {
                        ctx.fail(ApiException.notFound("patient " + patientId));
                    } else {
                        ctx.json(page);
                    }
                })
                .onFailure(ctx::fail);
    }
}
