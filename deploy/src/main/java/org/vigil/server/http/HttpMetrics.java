package org.vigil.server.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Times every HTTP request by method, route template and status ({@code vigil_http_requests_seconds}).
 *
 * <p>The route tag is the template a request matched ({@code /api/v1/patients/:id}), never the raw path: ids in
 * paths would make a series per patient. A request is tagged when its response ends, by matching its path against
 * the mounted routes' templates in mount order, as the router did; what matches none is {@code unmatched}. Matching
 * at the end, not in the route's own handler, keeps the roles' routes untouched and tags failures (answered by a
 * failure handler, after the route's handler gave up) with the route that failed.
 */
public final class HttpMetrics {

    public static final String REQUESTS = "vigil.http.requests";
    static final String UNMATCHED = "unmatched";
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    /** Latency buckets: an API answer takes milliseconds; the live feed holds its request open for hours. */
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private record Template(String route, Set<HttpMethod> methods, Pattern path) {
        boolean matches(HttpMethod method, String requestPath) {
            return (methods == null || methods.isEmpty() || methods.contains(method)) && path.matcher(requestPath).matches();
        }
    }

    private record Key(String method, String route, int status) {
    }

    private final MeterRegistry registry;
    private final ConcurrentMap<Key, Timer> timers = new ConcurrentHashMap<>();
    private volatile List<Template> templates = List.of();

    public HttpMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Adds the templates of these routes, mounted under {@code prefix}, to those requests are matched against.
     * Routes without a plain path (body handling, authentication, fallbacks) serve no request of their own.
     */
    public void addRoutes(String prefix, List<Route> routes) {
        List<Template> all = new ArrayList<>(templates);
        for (Route route : routes) {
            // A path with parameters counts as a regex path to Vert.x, yet its template is what to tag it with.
            if (route.getPath() == null || route.getPath().endsWith("*")) {
                continue;
            }
            String template = prefix + route.getPath();
            String regex = Pattern.quote(template).replaceAll(":(\\w+)", "\\\\E[^/]+\\\\Q");
            all.add(new Template(template, route.methods(), Pattern.compile(regex + "/?")));
        }
        templates = List.copyOf(all);
    }

    /** The first handler of the root router: times the request until its response ends. */
    public Handler<RoutingContext> handler() {
        return ctx -> {
            long start = System.nanoTime();
            ctx.addEndHandler(ar -> record(ctx, System.nanoTime() - start));
            ctx.next();
        };
    }

    private void record(RoutingContext ctx, long nanos) {
        HttpMethod method = ctx.request().method();
        String route = route(method, ctx.normalizedPath());
        String methodTag = METHODS.contains(method.name()) ? method.name() : "OTHER";
        Key key = new Key(methodTag, route, ctx.response().getStatusCode());
        timers.computeIfAbsent(key, k -> Timer.builder(REQUESTS)
                .description("HTTP requests by method, route template and status")
                .tag("method", k.method()).tag("route", k.route()).tag("status", Integer.toString(k.status()))
                .serviceLevelObjectives(BUCKETS)
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The template of the first route that matches, as the router chose it, or {@link #UNMATCHED}. */
    String route(HttpMethod method, String path) {
        for (Template t : templates) {
            if (t.matches(method, path)) {
                return t.route();
            }
        }
        return UNMATCHED;
    }
}
