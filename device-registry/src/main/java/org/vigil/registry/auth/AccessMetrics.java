package org.vigil.registry.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/** Counts refused API requests by reason, so probing shows on a dashboard before anyone reads the audit log. */
public interface AccessMetrics {

    /** {@code vigil_http_access_refused_total{reason}}: requests answered 401, 403, or 404 for a record out of scope. */
    String REFUSED = "vigil.http.access.refused";

    AccessMetrics NOOP = reason -> { };

    void refused(Refusal.Reason reason);

    static AccessMetrics micrometer(MeterRegistry meters) {
        Map<Refusal.Reason, Counter> counters = new EnumMap<>(Refusal.Reason.class);
        for (Refusal.Reason reason : Refusal.Reason.values()) {
            counters.put(reason, Counter.builder(REFUSED)
                    .description("API requests refused: no or bad token (401), not allowed (403), out of scope (404)")
                    .tag("reason", reason.wireName())
                    .register(meters));
        }
        return reason -> counters.get(reason).increment();
    }
}
