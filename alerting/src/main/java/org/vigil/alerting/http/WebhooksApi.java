package org.vigil.alerting.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Locale;
import org.vigil.alerting.store.NotFoundException;
import org.vigil.alerting.store.WebhookStore;
import org.vigil.alerting.webhook.WebhookSignature;
import org.vigil.common.http.ApiException;
import org.vigil.common.http.Json;
import org.vigil.common.http.Principal;

/**
 * An organisation's webhook, for administrators: {@code PUT}, {@code GET} and {@code DELETE
 * /api/v1/organisations/{id}/webhook}. The secret is shown only in the answer to the {@code PUT} that generated
 * it; {@code GET} shows the address, the backlog and why the oldest undelivered event has not gone out yet.
 */
public record WebhooksApi(Vertx vertx, WebhookStore store, Clock clock, SecureRandom random) {

    static final int URL_MAX = 2_000;
    static final int SECRET_MIN = 16;
    static final int SECRET_MAX = 256;

    /** Mounts the routes on a router rooted at {@code /api/v1}. */
    public void mount(Router api) {
        api.put("/organisations/:id/webhook").handler(admin(this::put));
        api.get("/organisations/:id/webhook").handler(admin(this::get));
        api.delete("/organisations/:id/webhook").handler(admin(this::delete));
    }

    private static Handler<RoutingContext> admin(Handler<RoutingContext> handler) {
        return ctx -> {
            Principal.requireAdmin(ctx);
            handler.handle(ctx);
        };
    }

    private void put(RoutingContext ctx) {
        long id = Json.pathId(ctx, "id", "organisation");
        JsonObject body = Json.body(ctx);
        String url = url(body);
        Object given = body.getValue("secret");
        String secret;
        if (given == null) {
            secret = WebhookSignature.newSecret(random);
        } else if (given instanceof String s && s.length() >= SECRET_MIN && s.length() <= SECRET_MAX && s.strip().equals(s)) {
            secret = s;
        } else {
            throw ApiException.invalid("secret", "secret must be text of " + SECRET_MIN + " to " + SECRET_MAX
                    + " characters without surrounding spaces, or absent to have one generated");
        }
        vertx.executeBlocking(() -> store.put(id, url, secret, clock.instant()), false)
                .onSuccess(webhook -> ctx.json(given == null ? webhook.copy().put("secret", secret) : webhook))
                .onFailure(e -> ctx.fail(http(e)));
    }

    /** An absolute http or https address with a host. */
    static String url(JsonObject body) {
        String url = Json.requiredString(body, "url", URL_MAX);
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw ApiException.invalid("url", "url is not a valid address: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ApiException.invalid("url", "url must be an http:// or https:// address");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw ApiException.invalid("url", "url must name a host");
        }
        return url;
    }

    private void get(RoutingContext ctx) {
        long id = Json.pathId(ctx, "id", "organisation");
        vertx.executeBlocking(() -> store.webhook(id), false).onSuccess(ctx::json).onFailure(e -> ctx.fail(http(e)));
    }

    private void delete(RoutingContext ctx) {
        long id = Json.pathId(ctx, "id", "organisation");
        vertx.executeBlocking(() -> {
            store.delete(id);
            return null;
        }, false).onSuccess(v -> ctx.response().setStatusCode(204).end()).onFailure(e -> ctx.fail(http(e)));
    }

    /** A store's domain error as what the caller is told; anything else stays a server error. */
    private static Throwable http(Throwable e) {
        return e instanceof NotFoundException missing ? ApiException.notFound(missing.what()) : e;
    }
}
