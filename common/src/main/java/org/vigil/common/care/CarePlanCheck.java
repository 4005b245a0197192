package org.vigil.common.care;

import io.vertx.core.json.JsonObject;

/**
 * Checks a care plan before the registry stores it, so a plan the rule engine would not understand is refused
 * with a 400 naming the place ({@code thresholds.bp_threshold[0].anyOf[1].op}) instead of being stored and
 * ignored. The alerting module implements it against its clinical rules; the registry only calls it.
 */
@FunctionalInterface
public interface CarePlanCheck {

    /**
     * @param plan  {@code {"expected": [...], "thresholds": {...}}} as the API received it
     * @throws org.vigil.common.http.ApiException when the plan is not valid
     */
    void check(JsonObject plan);
}
