package org.vigil.common.http;

import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

/**
 * Who made an authenticated request: operations staff with the admin token, or a doctor with her own
 * token. The authentication handler records it on the routing context; handlers scope what they return
 * by it.
 *
 * @param name      for audit fields such as {@code acknowledgedBy}: {@code admin} or {@code doctor:<id>}
 * @param doctorId  the doctor's id, or {@code null} for admin
 * @param tokenId   the id of the doctor's token the request came with, or {@code null}; a long-lived response (a live
 *                  feed) ends when that token is revoked
 * @param expiresAt when that token expires, or {@code null}; a live feed ends then too
 */
public record Principal(String name, Long doctorId, Long tokenId, Instant expiresAt) {

    private static final String KEY = "vigil.principal";
    public static final Principal ADMIN = new Principal("admin", null);

    public Principal(String name, Long doctorId) {
        this(name, doctorId, null, null);
    }

    public static Principal doctor(long doctorId) {
        return new Principal("doctor:" + doctorId, doctorId);
    }

    /** A doctor signed in with one of her tokens. */
    public static Principal doctor(long doctorId, long tokenId, Instant expiresAt) {
        return new Principal("doctor:" + doctorId, doctorId, tokenId, expiresAt);
    }

    public boolean admin() {
        return doctorId == null;
    }

    public static void set(RoutingContext ctx, Principal principal) {
        ctx.put(KEY, principal);
    }

    /** The caller; a route reached without authentication has none, which is treated as no rights at all. */
    public static Principal of(RoutingContext ctx) {
        Principal p = ctx.get(KEY);
        if (p == null) {
            throw new ApiException(401, "unauthorized", null, "authentication required");
        }
        return p;
    }

    /** The caller, or {@code null} when the request was not (or not yet) authenticated. */
    public static Principal orNull(RoutingContext ctx) {
        return ctx.get(KEY);
    }

    /** Only operations staff may do this. */
    public static void requireAdmin(RoutingContext ctx) {
        if (!of(ctx).admin()) {
            throw new ApiException(403, "forbidden", null, "only administrators may do this");
        }
    }

    /**
     * The doctor whose data the caller may see, or {@code null} for admin (everything). Handlers pass it to
     * their queries, which then return nothing outside her patients: such a resource is simply not found.
     */
    public static Long scope(RoutingContext ctx) {
        return of(ctx).doctorId();
    }
}
