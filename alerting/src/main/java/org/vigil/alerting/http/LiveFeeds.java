package org.vigil.alerting.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.vigil.alerting.metrics.AlertingMetrics;

/**
 * The open live feeds of one HTTP verticle, by doctor and by the organisation she works at, with the token each
 * was opened with. Confined to that verticle's event loop, so nothing here needs locking.
 *
 * <p>A feed lives only as long as the access it was opened with: it is closed when its token expires (checked
 * every heartbeat against the clock), when the token is revoked or the doctor deactivated (at once on the
 * announcement, and at the next heartbeat from the database in case the announcement never came).
 */
final class LiveFeeds {

    /** What a feed was opened with; {@code tokenId} and {@code expiresAt} are {@code null} for the admin token. */
    record Feed(long doctorId, long organisationId, Long tokenId, Instant expiresAt) {
    }

    private final AlertingMetrics metrics;
    private final Clock clock;
    private final Map<HttpServerResponse, Feed> open = new HashMap<>();
    private final Map<Long, Set<HttpServerResponse>> byDoctor = new HashMap<>();
    /** The same feeds by the organisation their doctor works at, for alerts escalated to it. */
    private final Map<Long, Set<HttpServerResponse>> byOrganisation = new HashMap<>();

    LiveFeeds(AlertingMetrics metrics, Clock clock) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Adds an open response; it leaves when the client goes or the feed is closed here. */
    void add(HttpServerResponse response, Feed feed) {
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
    void deliver(JsonObject event) {
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

    /** Keeps idle feeds open through proxies, and ends those whose token has expired. */
    void heartbeat() {
        Instant now = clock.instant();
        close(feed -> feed.expiresAt() != null && !now.isBefore(feed.expiresAt()));
        for (HttpServerResponse response : open.keySet()) {
            if (!response.writeQueueFull()) {
                response.write(": keep-alive\n\n");
            }
        }
    }

    /**
     * Acts on an announced registry change: a deactivated doctor's feeds close, and so do the feeds opened with a
     * revoked token.
     */
    void onRegistryChange(JsonObject change) {
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
    Set<Long> tokenIds() {
        Set<Long> ids = new LinkedHashSet<>();
        open.values().forEach(feed -> {
            if (feed.tokenId() != null) {
                ids.add(feed.tokenId());
            }
        });
        return ids;
    }

    /** Closes the feeds opened with any of these tokens. */
    void closeTokens(Set<Long> tokenIds) {
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
