package org.vigil.server.http;

import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.db.SqlErrors;
import org.vigil.common.http.ApiError;

/**
 * The answer to a request that failed because the database is unavailable for now: 503 {@code unavailable} with
 * {@code Retry-After}, not the 500 of a bug. A request failed so when its failure is transient by
 * {@link SqlErrors#transientCause}, the same test the retry paths use.
 */
final class Unavailable {

    private static final Logger LOG = LoggerFactory.getLogger(Unavailable.class);
    /** Long enough for an embedded database to restart, short against a doctor waiting at the console. */
    static final int RETRY_AFTER_SECONDS = 5;
    static final String DATABASE_MESSAGE = "the database is unavailable; try again shortly";

    private Unavailable() {
    }

    /**
     * Answers the routing context's failure with 503 when the database is unavailable for now, and says whether it
     * did; any other failure is left to the caller. A response already started cannot change its status: the
     * failure is then only logged.
     */
    static boolean answered(RoutingContext ctx) {
        Throwable cause = SqlErrors.transientCause(ctx.failure());
        if (cause == null) {
            return false;
        }
        // One line, no stack trace: an outage fails every request alike, and the trace says nothing new.
        LOG.warn("Request failed, the database is unavailable [{} {}]: {}", ctx.request().method(), ctx.request().path(),
                describe(cause));
        if (!ctx.response().headWritten()) {
            send(ctx, DATABASE_MESSAGE);
        }
        return true;
    }

    /** Sends 503 {@code unavailable} with this message and {@code Retry-After}. */
    static void send(RoutingContext ctx, String message) {
        ctx.response().putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        ApiError.send(ctx, 503, "unavailable", message, null);
    }

    /**
     * The exception, and its own cause when it has one: the pool's timeout is caused by the last refused connection,
     * which names the server. One step is enough; the chain was searched once already.
     */
    private static String describe(Throwable cause) {
        Throwable next = cause.getCause();
        return next == null || next == cause ? cause.toString() : cause + " (cause: " + next + ")";
    }
}
