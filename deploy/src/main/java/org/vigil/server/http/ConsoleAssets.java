package org.vigil.server.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The doctor's console: one HTML page at {@code /}, its ES modules, style sheet and message bundles under
 * {@code /console/}, and uPlot from its WebJar under {@code /console/vendor/uplot/}, all from the server jar, so a
 * clinic without internet gets the whole console from Vigil itself. The page talks to the REST API with the session
 * cookie, so the console has no access rules of its own. A strict Content-Security-Policy allows scripts, styles and
 * connections to this origin only, and no framing.
 */
final class ConsoleAssets {

    /** Where the console's files are on the class path. */
    private static final String ROOT = "org/vigil/server/console";
    /** uPlot's WebJar; the version is the root pom's {@code uplot.version} (ConsoleIT loads the chart through it). */
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist";
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final String index;

    ConsoleAssets() {
        // Read here, on the thread that builds the server, so no event loop waits on the class path.
        try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(ROOT + "/index.html")) {
            if (in == null) {
                throw new IllegalStateException("the console's index.html is missing from the class path");
            }
            index = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console's index.html", e);
        }
    }

    /** Mounts the page and its files on the root router; routes without a method serve no API operation. */
    void mount(Router root) {
        root.route("/console/*").handler(ConsoleAssets::headers);
        root.route("/console/vendor/uplot/*").handler(StaticHandler.create(UPLOT).setCachingEnabled(true)
                .setMaxAgeSeconds(86_400));
        root.route("/console/*").handler(StaticHandler.create(ROOT).setCachingEnabled(false)
                .setDirectoryListing(false));
        root.route("/").handler(this::page);
    }

    private void page(RoutingContext ctx) {
        if (ctx.request().method() != HttpMethod.GET && ctx.request().method() != HttpMethod.HEAD) {
            ctx.next();
            return;
        }
        headers(ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache"));
        ctx.response().end(index);
    }

    private static void headers(RoutingContext ctx) {
        headers(ctx.response());
        ctx.next();
    }

    private static void headers(io.vertx.core.http.HttpServerResponse response) {
        response.putHeader("Content-Security-Policy", CSP)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("X-Frame-Options", "DENY");
    }
}
