package org.vigil.common.http;

import io.vertx.ext.web.RoutingContext;

/**
 * Who made an authenticated request: operations staff with the admin token, or a doctor with her own
 * token. The authentication handler records it on the routing context; handlers scope what they return
 * by it.
 *
 * @param name      for audit fields such as {@code acknowledgedBy}: {@code admin} or {@code doctor:<id>}
 * @param doctorId  the doctor's id, or {@code null} for admin
 */
public record Principal(String name, Long doctorId) {

    private static final String KEY = "vigil.principal";
    public static final Principal ADMIN = new Principal("admin", null);

    public static Principal doctor(long doctorId) {
        return new Principal("doctor:" + doctorId, doctorId);
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
