package org.vigil.alerting.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.FeedAccess;
import org.vigil.common.bus.Addresses;

/**
 * The hub of the live alert feeds ({@code GET /api/v1/doctors/{id}/alerts/stream}, Server-Sent Events) of one HTTP
 * verticle: the open feeds by doctor and by the organisation she works at, with the token each was opened with,
 * and that verticle's own event-bus consumers of {@link Addresses#ALERT_CHANGED} and
 * {@link Addresses#REGISTRY_CHANGED}. Confined to that verticle's event loop, so nothing here needs locking. An
 * event goes to the feeds of the alert's responsible doctor and, once it was escalated, of the doctors at the
 * organisations it was escalated to.
 *
 * <p>A feed lives only as long as the access it was opened with: it is closed when its token expires (checked
 * every heartbeat against the clock), when the token is revoked or the doctor deactivated (at once on the
 * announcement, and at the next heartbeat from the database in case the announcement never came).
 */
public final class LiveFeeds {

    private static final Logger LOG = LoggerFactory.getLogger(LiveFeeds.class);

    /** What a feed was opened with; {@code tokenId} and {@code expiresAt} are {@code null} for the admin token. */
    record Feed(long doctorId, long organisationId, Long tokenId, Instant expiresAt) {
    }

    private final Vertx vertx;
    private final FeedAccess feedAccess;
    private final AlertingMetrics metrics;
    private final Clock clock;
    private final Duration heartbeat;
    private final Map<HttpServerResponse, Feed> open = new HashMap<>();
    private final Map<Long, Set<HttpServerResponse>> byDoctor = new HashMap<>();
    /** The same feeds by the organisation their doctor works at, for alerts escalated to it. */
    private final Map<Long, Set<HttpServerResponse>> byOrganisation = new HashMap<>();

    public LiveFeeds(Vertx vertx, FeedAccess feedAccess, AlertingMetrics metrics, Clock clock, Duration heartbeat) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.feedAccess = Objects.requireNonNull(feedAccess, "feedAccess");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
    }

    /** Listens for alert and registry changes and starts the heartbeat; call on the HTTP verticle's event loop. */
    void start() {
        vertx.eventBus().<JsonObject>consumer(Addresses.ALERT_CHANGED, msg -> deliver(msg.body()));
        vertx.eventBus().<JsonObject>consumer(Addresses.REGISTRY_CHANGED, msg -> onRegistryChange(msg.body()));
        vertx.setPeriodic(heartbeat.toMillis(), id -> heartbeat());
    }

    /** Turns the response into an event stream and adds it as a feed. */
    void open(HttpServerResponse response, Feed feed) {
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        add(response, feed);
        // An opening comment flushes the headers, so the client knows the feed is live.
        response.write(": feed for doctor " + feed.doctorId() + "\n\n");
    }

    /** Adds an open response; it leaves when the client goes or the feed is closed here. */
    private void add(HttpServerResponse response, Feed feed) {
        open.put(response, feed);
        byDoctor.computeIfAbsent(feed.doctorId(), k -> new LinkedHashSet<>()).add(response);
        byOrganisation.computeIfAbsent(feed.organisationId(), k -> new LinkedHashSet<>()).add(response);
        metrics.subscriberAdded();
        response.closeHandler(v -> remove(response));
    }

    private void remove(HttpServerResponse response) {
        Feed feed = open.remove(response);
        if (feed == null) {
            return;
        }
        metrics.subscriberRemoved();
        remove(byDoctor, feed.doctorId(), response);
        remove(byOrganisation, feed.organisationId(), response);
    }

    private static void remove(Map<Long, Set<HttpServerResponse>> map, long key, HttpServerResponse response) {
        Set<HttpServerResponse> set = map.get(key);
        if (set != null && set.remove(response) && set.isEmpty()) {
            map.remove(key);
        }
    }

    /**
     * Sends an alert event to the responsible doctor's feeds and, once the alert was escalated, to the feeds of
     * every doctor at the organisations it was escalated to, so they also hear when it is handled.
     */
    private void deliver(JsonObject event) {
        JsonObject alert = event.getJsonObject("alert");
        Set<HttpServerResponse> subscribers = new LinkedHashSet<>();
        Long doctorId = alert.getLong("doctorId");
        if (doctorId != null) {
            subscribers.addAll(byDoctor.getOrDefault(doctorId, Set.of()));
        }
        JsonArray escalatedTo = alert.getJsonArray("escalatedTo", new JsonArray());
        for (int i = 0; i < escalatedTo.size(); i++) {
            subscribers.addAll(byOrganisation.getOrDefault(escalatedTo.getLong(i), Set.of()));
        }
        if (subscribers.isEmpty()) {
            return;
        }
        String frame = "id: " + alert.getLong("id") + "\nevent: alert." + event.getString("change")
                + "\ndata: " + alert.encode() + "\n\n";
        for (HttpServerResponse response : subscribers) {
            // A client that stopped reading is dropped rather than buffered without bound.
            if (response.writeQueueFull()) {
                response.reset();
            } else {
                response.write(frame);
            }
        }
    }

    /**
     * Keeps idle feeds open through proxies and ends those whose access was withdrawn: expired tokens by the clock,
     * revoked tokens and deactivated doctors by asking the database, in case the announcement did not reach this
     * node.
     */
    private void heartbeat() {
        Instant now = clock.instant();
        close(feed -> feed.expiresAt() != null && !now.isBefore(feed.expiresAt()));
        for (HttpServerResponse response : open.keySet()) {
            if (!response.writeQueueFull()) {
                response.write(": keep-alive\n\n");
            }
        }
        Set<Long> tokenIds = tokenIds();
        if (tokenIds.isEmpty()) {
            return;
        }
        vertx.executeBlocking(() -> feedAccess.withdrawn(tokenIds, now), false)
                .onSuccess(this::closeTokens)
                .onFailure(e -> LOG.debug("Cannot check the tokens of open feeds: {}", e.toString()));
    }

    /**
     * Acts on an announced registry change: a deactivated doctor's feeds close, and so do the feeds opened with a
     * revoked token.
     */
    private void onRegistryChange(JsonObject change) {
        Long doctorId = change.getLong("doctorId");
        if (!"doctor".equals(change.getString("kind")) || doctorId == null) {
            return;
        }
        switch (String.valueOf(change.getString("change"))) {
            case "deactivated" -> close(feed -> feed.doctorId() == doctorId);
            case "token_revoked" -> {
                Long tokenId = change.getLong("tokenId");
                close(feed -> feed.doctorId() == doctorId && (tokenId == null || tokenId.equals(feed.tokenId())));
            }
            default -> { }
        }
    }

    /** The tokens the open feeds were opened with, to ask the database whether they still give access. */
    private Set<Long> tokenIds() {
        Set<Long> ids = new LinkedHashSet<>();
        open.values().forEach(feed -> {
            if (feed.tokenId() != null) {
                ids.add(feed.tokenId());
            }
        });
        return ids;
    }

    /** Closes the feeds opened with any of these tokens. */
    private void closeTokens(Set<Long> tokenIds) {
        if (!tokenIds.isEmpty()) {
            close(feed -> feed.tokenId() != null && tokenIds.contains(feed.tokenId()));
        }
    }

    int size() {
        return open.size();
    }

    /**
     * Ends the matching feeds. A comment says why (clients ignore it); an EventSource that reconnects is then
     * refused by authentication.
     */
    private void close(Predicate<Feed> withdrawn) {
        List<HttpServerResponse> closing = open.entrySet().stream().filter(e -> withdrawn.test(e.getValue()))
                .map(Map.Entry::getKey).toList();
        for (HttpServerResponse response : closing) {
            remove(response);
            if (!response.ended() && !response.closed()) {
                response.end(": access withdrawn\n\n");
            }
        }
    }
}
