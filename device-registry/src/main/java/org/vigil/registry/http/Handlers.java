package org.vigil.registry.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.vigil.common.bus.Addresses;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.Json;
import org.vigil.common.http.Principal;

/**
 * What every registry route does the same way: run the store on a worker, page lists by keyset, answer 201
 * with the created entity, 404 for what is absent or out of the caller's scope, and tell other nodes of a
 * change.
 */
final class Handlers {

    static final int PAGE_MAX = 500;
    static final int NAME_MAX = 200;

    private final Vertx vertx;

    Handlers(Vertx vertx) {
        this.vertx = vertx;
    }

    interface PageQuery {
        List<JsonObject> fetch(long afterId, int limit) throws Exception;
    }

    static Handler<RoutingContext> admin(Handler<RoutingContext> handler) {
        return ctx -> {
            Principal.requireAdmin(ctx);
            handler.handle(ctx);
        };
    }

    /** Keyset pagination: {@code ?after=<last id>&limit=}; the response names the next cursor when there may be more. */
    void page(RoutingContext ctx, PageQuery query) {
        Long after = Json.queryId(ctx, "after");
        int limit = Json.queryInt(ctx, "limit", 100, 1, PAGE_MAX);
        blocking(() -> query.fetch(after == null ? 0 : after, limit)).onSuccess(items -> {
            JsonObject page = new JsonObject().put("items", new JsonArray(new ArrayList<>(items)));
            if (items.size() == limit) {
                page.put("next", items.get(items.size() - 1).getLong("id"));
            }
            ctx.json(page);
        }).onFailure(ctx::fail);
    }

    void one(RoutingContext ctx, String what, Callable<Optional<JsonObject>> query) {
        blocking(query).onSuccess(found -> {
            if (found.isPresent()) {
                ctx.json(found.get());
            } else {
                ctx.fail(ApiException.notFound(what + " " + ctx.pathParam("id")));
            }
        }).onFailure(ctx::fail);
    }

    void ok(RoutingContext ctx, Future<JsonObject> result) {
        result.onSuccess(ctx::json).onFailure(ctx::fail);
    }

    static void created(RoutingContext ctx, Future<JsonObject> result) {
        result.onSuccess(json -> ctx.response()
                        .setStatusCode(201)
                        .putHeader("Content-Type", "application/json")
                        .end(json.encode()))
                .onFailure(ctx::fail);
    }

    <T> Future<T> blocking(Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }

    /** Tells every node of a registry change, so caches drop their copy at once instead of waiting for a TTL. */
    void announce(JsonObject change) {
        vertx.eventBus().publish(Addresses.REGISTRY_CHANGED, change);
    }

    static String optionalString(JsonObject body, String field, int maxLength) {
        return body.getValue(field) == null ? null : Json.requiredString(body, field, maxLength);
    }

    static Long optionalId(JsonObject body, String field) {
        return body.getValue(field) == null ? null : Json.requiredId(body, field);
    }

    static List<Long> ids(JsonObject body, String field) {
        if (body.getValue(field) == null) {
            return List.of();
        }
        JsonArray array = Json.requiredArray(body, field);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.getValue(i) instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() <= 0) {
                throw ApiException.invalid(field, field + " must be an array of positive integer ids");
            }
            if (!ids.contains(n.longValue())) {
                ids.add(n.longValue());
            }
        }
        return ids;
    }
}
