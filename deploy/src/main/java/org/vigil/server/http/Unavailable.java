package org.vigil.server.http;

import io.vertx.ext.web.RoutingContext;
import java.sql.SQLTransientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.common.db.SqlErrors;
import org.vigil.common.http.ApiError;

/**
 * The answer to a request that failed because the database is unavailable for now: 503 {@code unavailable} with
 * {@code Retry-After}, not the 500 of a bug. A request failed so when an exception on its failure's cause chain is
 * transient by {@link SqlErrors#isTransient} or by its type ({@link SQLTransientException}, as the pool's "no
 * connection within the timeout" is). The chain is walked because failures arrive wrapped: a cache's
 * {@code CompletionException}, a store's {@code RuntimeException}.
 */
final class Unavailable {

    private static final Logger LOG = LoggerFactory.getLogger(Unavailable.class);
    /** Long enough for an embedded database to restart, short against a doctor waiting at the console. */
    static final int RETRY_AFTER_SECONDS = 5;
    static final String DATABASE_MESSAGE = "the database is unavailable; try again shortly";
    /** Deeper than any wrapping seen, and a stop for a chain whose causes loop. */
    private static final int MAX_CAUSES = 32;

    private Unavailable() {
    }

    /**
     * Answers the routing context's failure with 503 when the database is unavailable for now, and says whether it
     * did; any other failure is left to the caller. A response already started cannot change its status: the
     * failure is then only logged.
     */
    static boolean answered(RoutingContext ctx) {
        Throwable cause = transientCause(ctx.failure());
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

    /** The first exception on the cause chain that retrying may mend, or null when there is none. */
    static Throwable transientCause(Throwable failure) {
        Throwable t = failure;
        for (int i = 0; t != null && i < MAX_CAUSES; i++) {
            if (t instanceof SQLTransientException || SqlErrors.isTransient(t)) {
                return t;
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return null;
    }

    /** The exception, and the deepest of its causes when it has one (the pool's timeout names the refused connection). */
    private static String describe(Throwable cause) {
        Throwable root = cause;
        for (int i = 0; root.getCause() != null && root.getCause() != root && i < MAX_CAUSES; i++) {
            root = root.getCause();
        }
        return root == cause ? cause.toString() : cause + " (cause: " + root + ")";
    }
}
