package org.vigil.registry.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vigil.common.audit.AuditLog;

/**
 * Sums refused requests between two flushes so that the audit log gets at most {@link #MAX_EVENTS} + 1 events per
 * flush, however many requests were refused: one per distinct (reason, actor, target, patient, client address)
 * with how many times, when first and last, and a few of the requests; refusals beyond {@link #MAX_EVENTS}
 * distinct ones are summed by reason into one overflow event. A flood from one source is one event per window.
 *
 * <p>Thread-safe; calls are short and rare next to the requests they follow.
 */
public final class RefusalTally {

    /** Distinct refusals recorded one by one per window. */
    public static final int MAX_EVENTS = 20;
    static final String ACTION = "access.refused";
    private static final int MAX_REQUESTS_KEPT = 3;
    private static final int MAX_TEXT = 200;

    private record Key(Refusal.Reason reason, String actor, String targetType, Long targetId, Long patientId,
            String remote) {
    }

    private static final class Tally {
        long count;
        Instant first;
        Instant last;
        final Set<String> requests = new LinkedHashSet<>();
    }

    private final Map<Key, Tally> tallies = new LinkedHashMap<>();
    private final Map<Refusal.Reason, Long> overflow = new EnumMap<>(Refusal.Reason.class);

    public synchronized void add(Refusal refusal, Instant at) {
        Key key = new Key(refusal.reason(), text(refusal.actor()), refusal.targetType(), refusal.targetId(),
                refusal.patientId(), text(refusal.remote()));
        Tally tally = tallies.get(key);
        if (tally == null) {
            if (tallies.size() >= MAX_EVENTS) {
                overflow.merge(refusal.reason(), 1L, Long::sum);
                return;
            }
            tally = new Tally();
            tally.first = at;
            tallies.put(key, tally);
        }
        tally.count++;
        tally.last = at;
        if (tally.requests.size() < MAX_REQUESTS_KEPT && refusal.request() != null) {
            tally.requests.add(text(refusal.request()));
        }
    }

    /** The audit events for everything added since the last drain, and a fresh start. */
    public synchronized List<AuditLog.Event> drain() {
        List<AuditLog.Event> events = new ArrayList<>(tallies.size() + 1);
        tallies.forEach((key, tally) -> events.add(new AuditLog.Event(key.actor(), ACTION, key.targetType(),
                key.targetId(), key.patientId(), new JsonObject()
                        .put("reason", key.reason().wireName())
                        .put("status", key.reason().status())
                        .put("count", tally.count)
                        .put("firstAt", tally.first.toString())
                        .put("lastAt", tally.last.toString())
                        .put("remote", key.remote())
                        .put("requests", new JsonArray(new ArrayList<>(tally.requests))))));
        if (!overflow.isEmpty()) {
            JsonObject byReason = new JsonObject();
            long total = 0;
            for (Map.Entry<Refusal.Reason, Long> e : overflow.entrySet()) {
                byReason.put(e.getKey().wireName(), e.getValue());
                total += e.getValue();
            }
            events.add(new AuditLog.Event("various", ACTION, "overflow", null, null, new JsonObject()
                    .put("reason", "overflow")
                    .put("count", total)
                    .put("byReason", byReason)
                    .put("note", "more than " + MAX_EVENTS + " distinct refusals in one window; see the metrics")));
        }
        tallies.clear();
        overflow.clear();
        return events;
    }

    /**
     * Text from the request as it may go into JSON stored in PostgreSQL: bounded, and without control characters
     * (a NUL cannot be stored in jsonb and would lose the whole batch).
     */
    private static String text(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_TEXT));
        for (int i = 0; i < s.length() && b.length() < MAX_TEXT; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        return b.toString();
    }
}
