package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A critical alert nobody acknowledges climbs the tiers: after each escalation interval (one second here) it is
 * re-sent to the responsible village doctor and sent one tier up, to the township's doctors, then the county's;
 * an acknowledgement stops it, and everyone it reached hears of it. A snooze, with a reason and an end, holds
 * the escalation back until it ends.
 */
@Timeout(120)
class EscalationIT {

    @RegisterExtension
    static final RunningServer server = RunningServer.builder()
            .set("VIGIL_ESCALATE_AFTER", "PT1S")
            .set("VIGIL_ESCALATION_SWEEP", "PT0.1S")
            .build();
    private static final ApiClient admin = server.api();
    private static long township;
    private static long county;
    private static long village;
    private static ApiClient townshipDoctor;
    private static long townshipDoctorId;
    private static long countyDoctorId;

    @BeforeAll
    static void start() throws Exception {
        county = admin.newOrganisation("Escalation county hospital", "county", null);
        township = admin.newOrganisation("Escalation township centre", "township", county);
        village = admin.newOrganisation("Escalation village clinic", "village", township);
        townshipDoctorId = admin.newDoctor("Dr Township", township);
        countyDoctorId = admin.newDoctor("Dr County", county);
        String token = new JsonObject(admin.send("POST", "/api/v1/doctors/" + townshipDoctorId + "/tokens", null).body())
                .getString("token");
        townshipDoctor = server.client(token);
    }

    private void crisis(Devices d) throws Exception {
        try (MqttClient client = d.connect(server.mqttUri())) {
            client.publish(d.topic(), Devices.message("{\"ts\": " + (Instant.now().toEpochMilli() - 1000)
                    + ", \"values\": {\"systolic_bp\": 192, \"diastolic_bp\": 118}}", 1));
            client.disconnect();
        }
    }

    /** The next event of that alert on the feed, skipping other alerts' events. */
    private static ApiClient.FeedEvent next(BlockingQueue<ApiClient.FeedEvent> feed, long alertId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            ApiClient.FeedEvent e = feed.poll(100, TimeUnit.MILLISECONDS);
            if (e != null && e.data().getLong("id") == alertId) {
                return e;
            }
        }
        throw new AssertionError("no event of alert " + alertId);
    }

    private static boolean quiet(BlockingQueue<ApiClient.FeedEvent> feed, long alertId, long millis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            ApiClient.FeedEvent e = feed.poll(50, TimeUnit.MILLISECONDS);
            if (e != null && e.data().getLong("id") == alertId) {
                return false;
            }
        }
        return true;
    }

    @Test
    void anUnacknowledgedCriticalAlertClimbsTheTiersUntilSomeoneAcknowledgesIt() throws Exception {
        Devices d = Devices.register(admin, "ESC", village);
        BlockingQueue<ApiClient.FeedEvent> villageFeed = admin.subscribe(d.doctorId());
        BlockingQueue<ApiClient.FeedEvent> townshipFeed = admin.subscribe(townshipDoctorId);
        BlockingQueue<ApiClient.FeedEvent> countyFeed = admin.subscribe(countyDoctorId);
        crisis(d);

        ApiClient.FeedEvent opened = villageFeed.poll(10, TimeUnit.SECONDS);
        assertThat(opened).isNotNull();
        assertThat(opened.name()).isEqualTo("alert.opened");
        long alertId = opened.data().getLong("id");
        assertThat(townshipFeed.stream().noneMatch(e -> e.data().getLong("id") == alertId))
                .as("the township hears nothing before the interval").isTrue();

        ApiClient.FeedEvent toTownship = next(townshipFeed, alertId);
        assertThat(toTownship.name()).isEqualTo("alert.tier_escalated");
        assertThat(longs(toTownship.data().getJsonArray("escalatedTo"))).containsExactly(township);
        assertThat(next(villageFeed, alertId).name()).as("re-sent to the responsible doctor").isEqualTo("alert.tier_escalated");

        ApiClient.FeedEvent toCounty = next(countyFeed, alertId);
        assertThat(toCounty.name()).isEqualTo("alert.tier_escalated");
        assertThat(longs(toCounty.data().getJsonArray("escalatedTo"))).containsExactly(township, county);
        assertThat(next(townshipFeed, alertId).data().getJsonArray("escalatedTo")).hasSize(2);

        ApiClient.FeedEvent reminder = next(villageFeed, alertId);
        while (!reminder.name().equals("alert.reminded")) {
            reminder = next(villageFeed, alertId);
        }
        assertThat(reminder.data().getJsonArray("escalatedTo")).as("no tier above the county").hasSize(2);

        HttpResponse<String> ack = townshipDoctor.send("POST", "/api/v1/alerts/" + alertId + "/ack", null);
        assertThat(ack.statusCode()).as("the township doctor may act on it").isEqualTo(200);
        for (BlockingQueue<ApiClient.FeedEvent> feed : java.util.List.of(villageFeed, countyFeed)) {
            ApiClient.FeedEvent e = next(feed, alertId);
            while (!e.name().equals("alert.acknowledged")) {
                e = next(feed, alertId);
            }
        }
        assertThat(quiet(villageFeed, alertId, 2_500)).as("acknowledged: no more reminders").isTrue();

        JsonArray transitions = admin.get("/api/v1/alerts/" + alertId + "/transitions").getJsonArray("items");
        assertThat(transitions.stream().map(t -> ((JsonObject) t).getString("change")))
                .containsSubsequence("opened", "tier_escalated", "tier_escalated", "reminded", "acknowledged");
    }

    @Test
    void aSnoozeHoldsEscalationBackUntilItEnds() throws Exception {
        Devices d = Devices.register(admin, "SNOOZE", village);
        BlockingQueue<ApiClient.FeedEvent> villageFeed = admin.subscribe(d.doctorId());
        BlockingQueue<ApiClient.FeedEvent> townshipFeed = admin.subscribe(townshipDoctorId);
        crisis(d);
        long alertId = firstAlertOf(d);
        assertThat(next(villageFeed, alertId).name()).isEqualTo("alert.opened");

        String path = "/api/v1/alerts/" + alertId + "/snooze";
        assertField(admin.send("POST", path, "{\"until\": \"2001-01-01T00:00:00Z\", \"reason\": \"x\"}"), "until");
        assertField(admin.send("POST", path, "{\"until\": \"" + Instant.now().plusSeconds(60) + "\"}"), "reason");
        Instant until = Instant.now().plusSeconds(3);
        HttpResponse<String> snoozed = admin.send("POST", path, new JsonObject().put("until", until.toString())
                .put("reason", "patient is on the way to the clinic").encode());
        assertThat(snoozed.statusCode()).as(snoozed.body()).isEqualTo(200);
        assertThat(new JsonObject(snoozed.body()).getString("snoozeReason")).isEqualTo("patient is on the way to the clinic");

        assertThat(quiet(townshipFeed, alertId, 2_000)).as("snoozed: not escalated").isTrue();
        ApiClient.FeedEvent escalated = next(townshipFeed, alertId);
        assertThat(escalated.name()).isEqualTo("alert.tier_escalated");
        assertThat(Instant.now()).as("only after the snooze ended").isAfter(until);
        assertThat(admin.get("/api/v1/alerts/" + alertId + "/transitions").getJsonArray("items").stream()
                .map(t -> ((JsonObject) t).getString("change"))).containsSubsequence("opened", "snoozed", "tier_escalated");
        // Stop its reminders: the other test follows the same feeds.
        assertThat(admin.send("POST", "/api/v1/alerts/" + alertId + "/ack", null).statusCode()).isEqualTo(200);
    }

    private static long firstAlertOf(Devices d) throws Exception {
        JsonArray items = admin.awaitAlerts("patientId=" + d.patientId(), Duration.ofSeconds(10));
        return items.getJsonObject(items.size() - 1).getLong("id");
    }

    private static java.util.List<Long> longs(JsonArray array) {
        return array.stream().map(x -> ((Number) x).longValue()).toList();
    }

    private static void assertField(HttpResponse<String> response, String field) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(new JsonObject(response.body()).getString("field")).isEqualTo(field);
    }
}
