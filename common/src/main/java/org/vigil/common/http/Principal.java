package org.vigil.common.http;

import io.vertx.ext.web.RoutingContext;

/** Who made an authenticated request, as the authentication handler records it on the routing context. */
public final class Principal {

    private static final String KEY = "vigil.principal";

    private Principal() {
    }

    public static void set(RoutingContext ctx, String name) {
        ctx.put(KEY, name);
    }

    /** The caller's name, e.g. {@code admin}; {@code unknown} if the route was not authenticated. */
    public static String of(RoutingContext ctx) {
        String name = ctx.get(KEY);
        return name == null ? "unknown" : name;
    }
}
