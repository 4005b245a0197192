package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.vigil.common.testing.Poll;

/**
 * Access that can be withdrawn, on two nodes sharing one database: node A (where the administrator acts) and node
 * B, a separate process in production, whose event bus never hears A's announcements. A revoked token, an expired
 * one and a deactivated doctor's are refused, and the live feeds opened with them end: on A at once by the
 * announcement (A trusts its token cache for a minute, so only the announcement can explain it), on B within its
 * token cache's time to live and its feed heartbeat. Refused attempts are counted by reason and audited in
 * bounded numbers.
 */
@Timeout(120)
class AccessWithdrawalIT {

    private static final Duration B_TOKEN_CACHE_TTL = Duration.ofSeconds(1);
    private static final Duration AUDIT_WINDOW = Duration.ofMillis(200);

    private static final Map<String, String> BOTH_NODES = Map.of("VIGIL_ALERT_FEED_HEARTBEAT", "100ms",
            "VIGIL_ACCESS_AUDIT_WINDOW", AUDIT_WINDOW.toMillis() + "ms");

    private static final MutableClock clock = new MutableClock();
    @RegisterExtension
    @Order(1)
    static final RunningServer nodeA = RunningServer.builder().clock(clock).setAll(BOTH_NODES)
            .set("VIGIL_DOCTOR_TOKEN_CACHE_TTL", "1m")
            .build();
    @RegisterExtension
    @Order(2)
    static final RunningServer nodeB = RunningServer.builder().sharingDatabaseWith(nodeA).setAll(BOTH_NODES)
            .set("VIGIL_ROLES", "registry,alerting")
            .set("VIGIL_DOCTOR_TOKEN_CACHE_TTL", B_TOKEN_CACHE_TTL.toMillis() + "ms")
            .build();
    private static final ApiClient admin = nodeA.api();

    private static JsonObject issue(long doctorId, String body) throws Exception {
        HttpResponse<String> issued = admin.send("POST", "/api/v1/doctors/" + doctorId + "/tokens", body);
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
        return new JsonObject(issued.body());
    }

    private static int status(ApiClient who, String path) throws Exception {
        return who.send("GET", path, null).statusCode();
    }

    /**
     * Waits for what an action brings about elsewhere (another node's cache expiring, a window's audit write);
     * fails after {@code limit}.
     */
    private static void within(Duration limit, String what, BooleanSupplier condition) throws Exception {
        Poll.until(what, limit, condition::getAsBoolean);
    }

    private static BooleanSupplier answers(ApiClient who, String path, int expected) {
        return () -> {
            try {
                return status(who, path) == expected;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
    }

    @Test
    void aRevokedTokenIsRefusedOnEveryNodeAndItsFeedsEnd() throws Exception {
        long doctor = admin.newDoctor("Dr Revoked");
        String patient = "/api/v1/patients/" + admin.newPatient(doctor);
        JsonObject first = issue(doctor, null);
        String second = issue(doctor, null).getString("token");
        try (ApiClient onA = new ApiClient(nodeA.httpPort(), first.getString("token"));
             ApiClient onB = new ApiClient(nodeB.httpPort(), first.getString("token"));
             ApiClient otherToken = new ApiClient(nodeA.httpPort(), second)) {
            assertThat(status(onA, patient)).isEqualTo(200);
            assertThat(status(onB, patient)).as("B has the token cached now").isEqualTo(200);
            ApiClient.Feed feedA = onA.openFeed(doctor);
            ApiClient.Feed feedB = onB.openFeed(doctor);

            HttpResponse<String> revoked = admin.send("POST", "/api/v1/doctors/" + doctor + "/tokens/"
                    + first.getLong("id") + "/revoke", null);
            assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
            assertThat(new JsonObject(revoked.body()).getString("status")).isEqualTo("revoked");

            within(Duration.ofSeconds(1), "A refuses the revoked token", answers(onA, patient, 401));
            feedA.ended().get(2, TimeUnit.SECONDS);
            assertThat(status(otherToken, patient)).as("her other token still works").isEqualTo(200);

            within(B_TOKEN_CACHE_TTL.plusSeconds(2), "B refuses without the announcement", answers(onB, patient, 401));
            feedB.ended().get(3, TimeUnit.SECONDS);
        }
        assertThat(admin.send("POST", "/api/v1/doctors/" + doctor + "/tokens/" + first.getLong("id") + "/revoke", null)
                .statusCode()).as("repeating is harmless").isEqualTo(200);
        assertThat(admin.send("POST", "/api/v1/doctors/" + doctor + "/tokens/987654321/revoke", null).statusCode())
                .isEqualTo(404);
        JsonArray tokens = admin.get("/api/v1/doctors/" + doctor + "/tokens").getJsonArray("items");
        assertThat(tokens.stream().map(t -> ((JsonObject) t).getString("status"))).containsExactly("revoked", "active");
        assertThat(tokens.getJsonObject(0).getString("revokedAt")).isNotNull();
        assertThat(admin.get("/api/v1/audit?action=doctor.token_revoked&targetType=doctor&targetId=" + doctor)
                .getJsonArray("items")).as("one revocation, recorded once").hasSize(1);
    }

    @Test
    void aDeactivatedDoctorIsShutOutUntilReactivated() throws Exception {
        long doctor = admin.newDoctor("Dr Deactivated");
        String patient = "/api/v1/patients/" + admin.newPatient(doctor);
        double refusedBefore = admin.metric("vigil_http_access_refused_total{reason=\"doctor_deactivated\"}");
        try (ApiClient her = new ApiClient(nodeA.httpPort(), issue(doctor, null).getString("token"))) {
            assertThat(status(her, patient)).isEqualTo(200);
            ApiClient.Feed feed = her.openFeed(doctor);

            HttpResponse<String> deactivated = admin.send("POST", "/api/v1/doctors/" + doctor + "/deactivate", null);
            assertThat(deactivated.statusCode()).as(deactivated.body()).isEqualTo(200);
            assertThat(new JsonObject(deactivated.body()).getBoolean("active")).isFalse();
            assertThat(new JsonObject(deactivated.body()).getString("deactivatedAt")).isNotNull();

            feed.ended().get(2, TimeUnit.SECONDS);
            within(Duration.ofSeconds(1), "her token is refused", answers(her, patient, 401));
            assertThat(admin.metric("vigil_http_access_refused_total{reason=\"doctor_deactivated\"}"))
                    .isGreaterThan(refusedBefore);
            assertThat(admin.get("/api/v1/doctors/" + doctor).getBoolean("active")).isFalse();
            assertThat(admin.send("POST", "/api/v1/doctors/" + doctor + "/tokens", null).statusCode())
                    .as("no new token while deactivated").isEqualTo(409);
            HttpResponse<String> newPatient = admin.send("POST", "/api/v1/patients", new JsonObject()
                    .put("name", "New patient").put("teamId", admin.teamOf(doctor)).put("doctorId", doctor).encode());
            assertThat(newPatient.statusCode()).as("no new patient in her care").isEqualTo(409);
            assertThat(new JsonObject(newPatient.body()).getString("field")).isEqualTo("doctorId");

            HttpResponse<String> reactivated = admin.send("POST", "/api/v1/doctors/" + doctor + "/reactivate", null);
            assertThat(reactivated.statusCode()).isEqualTo(200);
            assertThat(new JsonObject(reactivated.body()).getBoolean("active")).isTrue();
            within(Duration.ofSeconds(1), "her token works again", answers(her, patient, 200));
        }
        assertThat(admin.get("/api/v1/audit?targetType=doctor&targetId=" + doctor).getJsonArray("items").stream()
                .map(e -> ((JsonObject) e).getString("action")))
                .containsSubsequence("doctor.deactivated", "doctor.reactivated");
    }

    @Test
    void aTokenEndsWithItsLifetimeAndSoDoesItsFeed() throws Exception {
        long doctor = admin.newDoctor("Dr Expiring");
        String patient = "/api/v1/patients/" + admin.newPatient(doctor);
        JsonObject standard = issue(doctor, null);
        assertThat(Duration.between(Instant.parse(standard.getString("createdAt")),
                Instant.parse(standard.getString("expiresAt")))).as("the default lifetime").isEqualTo(Duration.ofDays(90));
        JsonObject shortLived = issue(doctor, "{\"lifetime\": \"PT1H\"}");
        assertThat(Duration.between(Instant.parse(shortLived.getString("createdAt")),
                Instant.parse(shortLived.getString("expiresAt")))).isEqualTo(Duration.ofHours(1));
        for (String lifetime : List.of("\"P91D\"", "\"PT10S\"", "\"a week\"", "7")) {
            HttpResponse<String> refused = admin.send("POST", "/api/v1/doctors/" + doctor + "/tokens",
                    "{\"lifetime\": " + lifetime + "}");
            assertThat(refused.statusCode()).as(lifetime).isEqualTo(400);
            assertThat(new JsonObject(refused.body()).getString("field")).isEqualTo("lifetime");
        }

        try (ApiClient brief = new ApiClient(nodeA.httpPort(), shortLived.getString("token"));
             ApiClient lasting = new ApiClient(nodeA.httpPort(), standard.getString("token"))) {
            assertThat(status(brief, patient)).isEqualTo(200);
            ApiClient.Feed feed = brief.openFeed(doctor);
            ApiClient.Feed lastingFeed = lasting.openFeed(doctor);

            clock.advance(Duration.ofHours(1));
            HttpResponse<String> expired = brief.send("GET", patient, null);
            assertThat(expired.statusCode()).isEqualTo(401);
            assertThat(new JsonObject(expired.body()).getString("message")).contains("expired");
            feed.ended().get(2, TimeUnit.SECONDS);
            assertThat(status(lasting, patient)).isEqualTo(200);
            assertThat(lastingFeed.ended()).as("the feed of a valid token stays open").isNotDone();
        }
        JsonArray tokens = admin.get("/api/v1/doctors/" + doctor + "/tokens").getJsonArray("items");
        assertThat(tokens.stream().map(t -> ((JsonObject) t).getString("status"))).containsExactly("active", "expired");
    }

    /**
     * Verifies that refusals are counted by reason and summed into the audit log: a flood of bad tokens adds a row
     * per window, not a row per request, and a doctor probing another doctor's patient is recorded against that
     * patient.
     */
    @Test
    void refusedAttemptsAreCountedAndAuditedInBoundedNumbers() throws Exception {
        long prober = admin.newDoctor("Dr Prober");
        admin.newPatient(prober);
        long other = admin.newDoctor("Dr Other");
        long otherPatient = admin.newPatient(other);
        long lastAuditId = lastAuditId();
        Map<String, Double> before = refusedCounts();

        int flood = 300;
        long floodStart = System.nanoTime();
        try (ApiClient guesser = new ApiClient(nodeA.httpPort(), "vd_guessed-token-guessed-token-0000")) {
            for (int i = 0; i < flood; i++) {
                assertThat(status(guesser, "/api/v1/patients")).isEqualTo(401);
            }
        }
        Duration floodTook = Duration.ofNanos(System.nanoTime() - floodStart);
        HttpClient anonymous = HttpClient.newHttpClient();
        assertThat(anonymous.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodeA.httpPort()
                + "/api/v1/alerts")).build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
        anonymous.shutdownNow();
        try (ApiClient her = new ApiClient(nodeA.httpPort(), issue(prober, null).getString("token"))) {
            for (int i = 0; i < 3; i++) {
                assertThat(status(her, "/api/v1/patients/" + otherPatient + "/vitals")).isEqualTo(404);
            }
            assertThat(status(her, "/api/v1/patients/999999999")).as("absent, not refused").isEqualTo(404);
            assertThat(status(her, "/api/v1/doctors")).isEqualTo(403);
            assertThat(status(her, "/api/v1/doctors/" + other + "/alerts/stream")).isEqualTo(403);
        }

        within(Duration.ofSeconds(5), "every refusal counted", () -> {
            Map<String, Double> now = refusedCounts();
            return now.get("unknown_token") - before.get("unknown_token") == flood
                    && now.get("missing_token") - before.get("missing_token") == 1
                    && now.get("out_of_scope") - before.get("out_of_scope") == 3
                    && now.get("forbidden") - before.get("forbidden") == 2;
        });

        String refusals = "/api/v1/audit?action=access.refused&limit=500&after=" + lastAuditId;
        within(Duration.ofSeconds(5), "the refusals audited", () -> {
            List<JsonObject> events = audit(refusals);
            return sum(events, "unknown_token") >= flood && sum(events, "missing_token") == 1
                    && sum(events, "out_of_scope") == 3 && sum(events, "forbidden") == 2;
        });
        List<JsonObject> events = audit(refusals);
        long floodRows = events.stream().filter(e -> reason(e).equals("unknown_token")).count();
        assertThat(sum(events, "unknown_token")).isEqualTo(flood);
        assertThat(floodRows).as("one row per window of %s over %s ms", AUDIT_WINDOW, floodTook.toMillis())
                .isLessThanOrEqualTo(floodTook.toMillis() / AUDIT_WINDOW.toMillis() + 2);

        List<JsonObject> probes = audit("/api/v1/audit?action=access.refused&patientId=" + otherPatient);
        assertThat(sum(probes, "out_of_scope")).as("the probes, in one row per window").isEqualTo(3);
        for (JsonObject probe : probes) {
            assertThat(probe.getString("actor")).isEqualTo("doctor:" + prober);
            assertThat(probe.getString("targetType")).isEqualTo("patient");
            assertThat(probe.getJsonObject("detail").getJsonArray("requests"))
                    .containsExactly("GET /api/v1/patients/" + otherPatient + "/vitals");
        }
    }

    private static Map<String, Double> refusedCounts() {
        Map<String, Double> counts = new HashMap<>();
        try {
            for (String reason : List.of("missing_token", "unknown_token", "expired_token", "revoked_token",
                    "doctor_deactivated", "forbidden", "out_of_scope")) {
                counts.put(reason, admin.metric("vigil_http_access_refused_total{reason=\"" + reason + "\"}"));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return counts;
    }

    private static long lastAuditId() throws Exception {
        long last = 0;
        JsonObject page = admin.get("/api/v1/audit?limit=500");
        while (true) {
            JsonArray items = page.getJsonArray("items");
            if (!items.isEmpty()) {
                last = items.getJsonObject(items.size() - 1).getLong("id");
            }
            if (!page.containsKey("next")) {
                return last;
            }
            page = admin.get("/api/v1/audit?limit=500&after=" + page.getLong("next"));
        }
    }

    private static List<JsonObject> audit(String path) {
        try {
            return admin.get(path).getJsonArray("items").stream().map(e -> (JsonObject) e).toList();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String reason(JsonObject event) {
        return event.getJsonObject("detail").getString("reason");
    }

    private static long sum(List<JsonObject> events, String reason) {
        return events.stream().filter(e -> reason(e).equals(reason))
                .mapToLong(e -> e.getJsonObject("detail").getLong("count")).sum();
    }
}
