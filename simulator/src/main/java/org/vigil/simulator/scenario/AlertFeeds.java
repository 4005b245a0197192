package org.vigil.simulator.scenario;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens to the live alert feeds ({@code GET /api/v1/doctors/{id}/alerts/stream}) of a set of doctors on
 * a Vert.x HTTP client, one long-lived connection per doctor, and collects every alert event with the time
 * it arrived. A feed that drops is reopened after a second until {@link #close()}.
 */
public final class AlertFeeds implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertFeeds.class);
    private static final long REOPEN_MILLIS = 1000;

    private final Vertx vertx;
    private final HttpClient http;
    private final URI api;
    private final String token;
    private final List<AlertEvent> events = new CopyOnWriteArrayList<>();
    private final Set<Long> live = ConcurrentHashMap.newKeySet();
    private final AtomicInteger failures = new AtomicInteger();
    private volatile boolean closing;
    private int requested;

    /**
     * @param api    API base URL, e.g. {@code http://127.0.0.1:8080}
     * @param token  admin bearer token
     */
    public AlertFeeds(Vertx vertx, URI api, String token, int doctors) {
        this.vertx = vertx;
        this.api = api;
        this.token = token;
        this.http = vertx.createHttpClient(new HttpClientOptions()
                        .setDefaultHost(api.getHost())
                        .setDefaultPort(api.getPort() > 0 ? api.getPort() : ("https".equalsIgnoreCase(api.getScheme()) ? 443 : 80))
                        .setSsl("https".equalsIgnoreCase(api.getScheme()))
                        .setKeepAlive(true)
                        .setIdleTimeout(0),
                new PoolOptions().setHttp1MaxSize(Math.max(1, doctors) + 1));
    }

    /** Opens the feeds of these doctors. */
    public void open(Collection<Long> doctorIds) {
        requested += doctorIds.size();
        doctorIds.forEach(this::open);
    }

    /** Feeds asked for. */
    public int requested() {
        return requested;
    }

    /** Doctors whose feed has answered (headers and opening comment received). */
    public int liveFeeds() {
        return live.size();
    }

    /** Feed requests that failed (each is retried). */
    public int failures() {
        return failures.get();
    }

    /** Every event received so far, in arrival order. */
    public List<AlertEvent> events() {
        return List.copyOf(events);
    }

    private void open(long doctorId) {
        if (closing) {
            return;
        }
        String path = (api.getPath() == null ? "" : api.getPath().replaceAll("/+$", "")) + "/api/v1/doctors/" + doctorId + "/alerts/stream";
        http.request(new RequestOptions().setMethod(HttpMethod.GET).setURI(path)
                        .putHeader("Authorization", "Bearer " + token).putHeader("Accept", "text/event-stream"))
                .compose(req -> req.send())
                .onSuccess(resp -> {
                    if (resp.statusCode() != 200) {
                        failures.incrementAndGet();
                        LOG.warn("Alert feed of doctor {} answered {}", doctorId, resp.statusCode());
                        resp.body().onComplete(ar -> reopen(doctorId));
                        return;
                    }
                    SseParser parser = new SseParser((event, data) -> received(doctorId, event, data));
                    resp.handler(buf -> {
                        parser.feed(buf.toString(StandardCharsets.UTF_8));
                        live.add(doctorId);
                    });
                    resp.endHandler(v -> {
                        live.remove(doctorId);
                        reopen(doctorId);
                    });
                    resp.exceptionHandler(e -> LOG.debug("Alert feed of doctor {}: {}", doctorId, e.toString()));
                })
                .onFailure(e -> {
                    failures.incrementAndGet();
                    LOG.debug("Alert feed of doctor {} failed: {}", doctorId, e.toString());
                    reopen(doctorId);
                });
    }

    private void reopen(long doctorId) {
        if (!closing) {
            vertx.setTimer(REOPEN_MILLIS, id -> open(doctorId));
        }
    }

    private void received(long doctorId, String event, String data) {
        long now = System.nanoTime();
        if (!event.startsWith("alert.")) {
            return;
        }
        try {
            events.add(new AlertEvent(now, doctorId, event, new JsonObject(data)));
        } catch (RuntimeException e) {
            LOG.warn("Alert feed of doctor {} sent an event that is not JSON: {}", doctorId, e.toString());
        }
    }

    /** Closes every feed. */
    @Override
    public void close() {
        closing = true;
        try {
            http.close().toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            LOG.debug("Closing the feeds failed: {}", e.toString());
        }
    }

    /** Doctors with an open feed, for diagnostics. */
    public List<Long> liveDoctors() {
        return new ArrayList<>(live);
    }
}
