package org.vigil.registry.http;

import static org.vigil.registry.http.Handlers.admin;

import io.vertx.ext.web.Router;
import org.vigil.common.audit.AuditLog;
import org.vigil.common.http.Json;

/** The audit log, for operations staff only: who changed or read what, and when, oldest first. */
record AuditApi(Handlers h, AuditLog audit) {

    void mount(Router api) {
        api.get("/audit").handler(admin(ctx -> {
            AuditLog.Filter filter = new AuditLog.Filter(ctx.queryParams().get("actor"), Json.queryId(ctx, "patientId"),
                    ctx.queryParams().get("targetType"), Json.queryId(ctx, "targetId"), ctx.queryParams().get("action"));
            h.page(ctx, (after, limit) -> audit.list(filter, after, limit));
        }));
    }
}
