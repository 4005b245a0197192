package org.vigil.chronic.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.vigil.chronic.config.ChronicConfig;
import org.vigil.chronic.indicator.Indicator;
import org.vigil.chronic.indicator.Indicators;
import org.vigil.chronic.store.IndicatorStore;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.Json;
import org.vigil.common.http.Principal;

/**
 * Panel indicators of a doctor, a team or an organisation (with everything below it) over a period, each with its
 * exact numerator and denominator; the patients behind any number; both as JSON or as CSV for Excel
 * ({@code format=csv}). A doctor sees the figures of the patients she may see (the registry's
 * {@code visible_patients}); the response says so.
 */
public record IndicatorsApi(Vertx vertx, IndicatorStore store, ChronicConfig config, AuditLog audit, Clock clock) {

    /** Longest period asked for at once: three years. */
    static final long MAX_DAYS = 3 * 366;

    public void mount(Router api) {
        api.get("/indicators").handler(this::indicators);
        api.get("/indicators/patients").handler(this::patients);
    }

    /** The request's subject and period, validated. */
    private record Query(IndicatorStore.Subject subject, long subjectId, LocalDate from, LocalDate to, boolean csv) {
    }

    private Query query(RoutingContext ctx) {
        Long doctor = Json.queryId(ctx, "doctorId");
        Long team = Json.queryId(ctx, "teamId");
        Long organisation = Json.queryId(ctx, "organisationId");
        int given = (doctor == null ? 0 : 1) + (team == null ? 0 : 1) + (organisation == null ? 0 : 1);
        if (given != 1) {
            throw ApiException.invalid("doctorId", "give exactly one of doctorId, teamId, organisationId");
        }
        LocalDate from = date(ctx, "from");
        LocalDate to = date(ctx, "to");
        if (to.isBefore(from)) {
            throw ApiException.invalid("to", "to must not lie before from");
        }
        if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
            throw ApiException.invalid("to", "a period is at most " + MAX_DAYS + " days");
        }
        String format = ctx.queryParams().get("format");
        if (format != null && !format.equals("csv") && !format.equals("json")) {
            throw ApiException.invalid("format", "format must be json or csv");
        }
        IndicatorStore.Subject subject = doctor != null ? IndicatorStore.Subject.DOCTOR
                : team != null ? IndicatorStore.Subject.TEAM : IndicatorStore.Subject.ORGANISATION;
        long id = doctor != null ? doctor : team != null ? team : organisation;
        return new Query(subject, id, from, to, "csv".equals(format));
    }

    private static LocalDate date(RoutingContext ctx, String param) {
        String raw = ctx.queryParams().get(param);
        if (raw == null || raw.isBlank()) {
            throw ApiException.invalid(param, param + " is required (a date such as 2026-01-01)");
        }
        LocalDate d = CareBodies.plausibleDate(raw);
        if (d != null) {
            return d;
        }
        throw ApiException.invalid(param, param + " must be a date such as 2026-01-01");
    }

    private void indicators(RoutingContext ctx) {
        Query q = query(ctx);
        Long scope = Principal.scope(ctx);
        String actor = Principal.of(ctx).name();
        Instant now = clock.instant();
        vertx.executeBlocking(() -> {
            List<Indicator> list = compute(q, facts(q, now, scope));
            audit.append(new AuditLog.Event(actor, "indicators.read", q.subject().name().toLowerCase(java.util.Locale.ROOT),
                    q.subjectId(), null, AuditLog.detail("from", q.from().toString(), "to", q.to().toString())));
            return list;
        }, false).onSuccess(list -> {
            if (q.csv()) {
                Csv csv = new Csv().row(List.of("indicator", "title", "numerator", "denominator", "value",
                        "numerator definition", "denominator definition"));
                for (Indicator i : list) {
                    csv.row(java.util.Arrays.asList(i.id(), i.title(), i.numerator(),
                            i.denominatorDefinition() == null ? null : i.denominator(), i.value(),
                            i.numeratorDefinition(), i.denominatorDefinition()));
                }
                sendCsv(ctx, "indicators-" + q.from() + "-" + q.to() + ".csv", csv);
                return;
            }
            JsonArray items = new JsonArray();
            for (Indicator i : list) {
                items.add(json(i));
            }
            ctx.json(period(q, scope).put("items", items));
        }).onFailure(ctx::fail);
    }

    /** What the indicators are computed from, over the query's subject and period as the scope sees it; blocking. */
    private IndicatorStore.Facts facts(Query q, Instant now, Long scope) throws java.sql.SQLException {
        return store.gather(q.subject(), q.subjectId(), q.from(), q.to(), now, config.control().zone(), scope,
                config.followUps().standardTypes());
    }

    private List<Indicator> compute(Query q, IndicatorStore.Facts facts) {
        return Indicators.compute(q.from(), q.to(), config.followUps().perYear(), facts.patients(), facts.alerts());
    }

    private JsonObject period(Query q, Long scope) {
        return new JsonObject()
                .put(q.subject().name().toLowerCase(java.util.Locale.ROOT) + "Id", q.subjectId())
                .put("from", q.from().toString()).put("to", q.to().toString())
                .put("requiredFollowUps", Indicators.requiredFollowUps(config.followUps().perYear(),
                        ChronoUnit.DAYS.between(q.from(), q.to()) + 1))
                .put("scope", scope == null ? "all patients" : "the patients doctor " + scope + " may see");
    }

    static JsonObject json(Indicator i) {
        JsonObject o = new JsonObject().put("id", i.id()).put("title", i.title())
                .put("numerator", new JsonObject().put("definition", i.numeratorDefinition()).put("value", i.numerator()))
                .put("denominator", i.denominatorDefinition() == null ? null
                        : new JsonObject().put("definition", i.denominatorDefinition()).put("value", i.denominator()))
                .put("value", i.value());
        return o;
    }

    private void patients(RoutingContext ctx) {
        Query q = query(ctx);
        String indicator = ctx.queryParams().get("indicator");
        if (indicator == null || indicator.isBlank()) {
            throw ApiException.invalid("indicator", "indicator is required (an id from GET /indicators)");
        }
        String part = ctx.queryParams().get("part") == null ? "numerator" : ctx.queryParams().get("part");
        if (!part.equals("numerator") && !part.equals("denominator")) {
            throw ApiException.invalid("part", "part must be numerator or denominator");
        }
        Long scope = Principal.scope(ctx);
        String actor = Principal.of(ctx).name();
        Instant now = clock.instant();
        vertx.executeBlocking(() -> {
            IndicatorStore.Facts facts = facts(q, now, scope);
            Indicator found = compute(q, facts).stream().filter(i -> i.id().equals(indicator)).findFirst()
                    .orElseThrow(() -> ApiException.invalid("indicator", "no indicator " + indicator));
            List<Long> ids = part.equals("numerator") ? found.numeratorPatients() : found.denominatorPatients();
            if (!ids.isEmpty()) {
                audit.append(ids.stream().map(id -> new AuditLog.Event(actor, "indicator.patients_listed", "patient",
                        id, id, AuditLog.detail("indicator", indicator, "part", part))).toArray(AuditLog.Event[]::new));
            }
            List<JsonObject> out = new ArrayList<>();
            for (long id : ids) {
                out.add(new JsonObject().put("patientId", id).put("name", facts.names().get(id)));
            }
            return new Object[] {found, out};
        }, false).onSuccess(result -> {
            Indicator found = (Indicator) result[0];
            @SuppressWarnings("unchecked")
            List<JsonObject> out = (List<JsonObject>) result[1];
            if (q.csv()) {
                Csv csv = new Csv().row(List.of("patientId", "name"));
                for (JsonObject p : out) {
                    csv.row(java.util.Arrays.asList(p.getLong("patientId"), p.getString("name")));
                }
                sendCsv(ctx, indicator + "-" + part + "-" + q.from() + "-" + q.to() + ".csv", csv);
                return;
            }
            ctx.json(period(q, scope).put("indicator", json(found)).put("part", part)
                    .put("items", new JsonArray(new ArrayList<>(out))));
        }).onFailure(ctx::fail);
    }

    private static void sendCsv(RoutingContext ctx, String filename, Csv csv) {
        ctx.response().putHeader("Content-Type", Csv.CONTENT_TYPE)
                .putHeader("Content-Disposition", "attachment; filename=\"" + filename + "\"")
                .end(csv.toString());
    }
}
