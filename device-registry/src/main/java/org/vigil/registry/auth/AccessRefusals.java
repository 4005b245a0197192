package org.vigil.registry.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.http.Principal;
import org.vigil.registry.store.RefusalTargets;

/**
 * Makes refused API requests visible: each is counted at once ({@link AccessMetrics}) and summed into the audit
 * log once per window ({@link RefusalTally}), so an administrator sees probing with {@code GET /audit?action=
 * access.refused} while a flood adds a bounded number of rows. The HTTP front reports 401 and 403 as it answers
 * them; for a doctor's 404 it asks here whether the record exists, since only then was she refused.
 */
public final class AccessRefusals {

    private static final Logger LOG = LoggerFactory.getLogger(AccessRefusals.class);
    private static final String API_PREFIX = "/api/v1/";

    private final Vertx vertx;
    private final AuditLog audit;
    private final RefusalTargets targets;
    private final AccessMetrics metrics;
    private final Clock clock;
    private final Duration window;
    private final RefusalTally tally = new RefusalTally();
    private long timer = -1;

    public AccessRefusals(Vertx vertx, AuditLog audit, RefusalTargets targets, AccessMetrics metrics, Clock clock,
            Duration window) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.targets = Objects.requireNonNull(targets, "targets");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.window = Objects.requireNonNull(window, "window");
    }

    /** Starts writing the sums every window. */
    public void start() {
        timer = vertx.setPeriodic(window.toMillis(), id -> flush());
    }

    /** Writes what was summed since the last window and stops. */
    public Future<Void> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        return flush();
    }

    /** Counts and records a refusal the HTTP front has answered (401 or 403). */
    public void refused(Refusal refusal) {
        metrics.refused(refusal.reason());
        tally.add(refusal, clock.instant());
    }

    /**
     * After a doctor got 404 for {@code path}: when it names a record ({@code /api/v1/patients/7/vitals}) that
     * exists, she was refused a record outside her scope, and that is counted and recorded. Runs after the answer
     * was sent, on a worker.
     */
    public void notFound(Principal who, String method, String path, String remote) {
        if (who.admin() || !path.startsWith(API_PREFIX)) {
            return;
        }
        String[] segments = path.substring(API_PREFIX.length()).split("/", 3);
        if (segments.length < 2 || !targets.covers(segments[0])) {
            return;
        }
        long id;
        try {
            id = Long.parseLong(segments[1]);
        } catch (NumberFormatException e) {
            return;
        }
        if (id <= 0) {
            return;
        }
        String collection = segments[0];
        vertx.executeBlocking(() -> targets.find(collection, id), false).onComplete(ar -> {
            if (ar.failed()) {
                LOG.debug("Cannot tell whether a refused record exists [{} {}]: {}", collection, id, ar.cause().toString());
            } else if (ar.result().isPresent()) {
                String targetType = collection.substring(0, collection.length() - 1);
                refused(new Refusal(Refusal.Reason.OUT_OF_SCOPE, who.name(), targetType, id,
                        ar.result().get().patientId(), remote, method + " " + path));
            }
        });
    }

    private Future<Void> flush() {
        List<AuditLog.Event> events = tally.drain();
        if (events.isEmpty()) {
            return Future.succeededFuture();
        }
        return vertx.executeBlocking(() -> {
            audit.append(events.toArray(AuditLog.Event[]::new));
            return null;
        }, false).<Void>mapEmpty().recover(e -> {
            // Counted already; the sums of one window are dropped rather than held without bound while the
            // database is away.
            LOG.warn("Refused requests could not be audited [events: {}]: {}", events.size(), e.toString());
            return Future.succeededFuture();
        });
    }
}
