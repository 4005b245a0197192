package org.vigil.alerting.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.vigil.alerting.clinical.ClinicalRules;
import org.vigil.alerting.clinical.RuleSpec;
import org.vigil.alerting.clinical.Band;
import org.vigil.alerting.clinical.Threshold;
import org.vigil.alerting.store.CarePlanReader;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.Json;
import org.vigil.common.http.Principal;

/**
 * {@code GET /api/v1/patients/{id}/thresholds}: the bands the rule engine applies to this patient now, so a chart can
 * draw them: for each threshold and sustained rule, the care plan's own bands when it has them, else the variant for
 * one of her conditions, else the rule's defaults (the order the engine uses). A patient the caller does not see is
 * not found.
 */
public record ThresholdsApi(Vertx vertx, ClinicalRules rules, CarePlanReader plans) {

    public void mount(Router api) {
        api.get("/patients/:id/thresholds").handler(this::thresholds);
    }

    private void thresholds(RoutingContext ctx) {
        long patientId = Json.pathId(ctx, "id", "patient");
        Long scope = Principal.scope(ctx);
        vertx.executeBlocking(() -> plans.profile(patientId, scope), false).onSuccess(found -> {
            if (found.isEmpty()) {
                ctx.fail(ApiException.notFound("patient " + patientId));
                return;
            }
            ctx.json(new JsonObject().put("patientId", patientId).put("bands", bands(found.get())));
        }).onFailure(ctx::fail);
    }

    JsonArray bands(CarePlanReader.Profile profile) {
        JsonObject personal = profile.thresholds();
        JsonArray out = new JsonArray();
        for (RuleSpec rule : rules.rules()) {
            List<Band> defaults;
            List<RuleSpec.ConditionBands> variants;
            if (rule instanceof RuleSpec.ThresholdBands t) {
                defaults = t.bands();
                variants = t.byCondition();
            } else if (rule instanceof RuleSpec.Sustained s) {
                defaults = s.bands();
                variants = s.byCondition();
            } else {
                continue;
            }
            if (!rule.appliesTo().isEmpty() && rule.appliesTo().stream().noneMatch(profile.conditions()::contains)) {
                continue;
            }
            if (personal.getValue(rule.id()) instanceof JsonArray own) {
                // Checked against the rules when the plan was stored; passed on as written.
                for (Object band : own) {
                    if (band instanceof JsonObject b) {
                        for (Object any : b.getJsonArray("anyOf", new JsonArray())) {
                            if (any instanceof JsonObject a) {
                                out.add(entry(rule.id(), b.getString("severity"), a.getString("metric"),
                                        a.getString("op"), a.getValue("value"), "care_plan"));
                            }
                        }
                    }
                }
                continue;
            }
            String source = "default";
            List<Band> bands = defaults;
            for (RuleSpec.ConditionBands variant : variants) {
                if (profile.conditions().contains(variant.condition())) {
                    bands = variant.bands();
                    source = "condition";
                    break;
                }
            }
            for (Band band : bands) {
                for (Threshold threshold : band.anyOf()) {
                    out.add(entry(rule.id(), band.severity().name().toLowerCase(), threshold.metric().wireName(),
                            threshold.comparison().symbol(), threshold.value(), source));
                }
            }
        }
        return out;
    }

    private static JsonObject entry(String rule, String severity, String metric, String op, Object value, String source) {
        return new JsonObject().put("rule", rule).put("severity", severity).put("metric", metric).put("op", op)
                .put("value", value).put("source", source);
    }
}
