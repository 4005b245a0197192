package org.vigil.alerting.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.alerting.config.WebhookConfig;
import org.vigil.alerting.metrics.AlertingMetrics;
import org.vigil.alerting.store.AlertActions;
import org.vigil.alerting.store.AlertChange;
import org.vigil.alerting.store.AlertSignalStore;
import org.vigil.alerting.store.WebhookStore;
import org.vigil.alerting.testing.BuiltInRules;
import org.vigil.alerting.testing.CareTree;
import org.vigil.common.config.Settings;
import org.vigil.common.db.Database;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Severity;
import org.vigil.common.testing.Poll;
import org.vigil.common.testing.TestPostgres;

/**
 * Webhook delivery end to end: alert transitions written by the real alert stores into a real PostgreSQL,
 * two dispatchers (as two nodes would run them) and a real HTTP receiver on 127.0.0.1 that is down at first,
 * then refuses with 500 for a while, then accepts.
 */
@Timeout(120)
class WebhookDeliveryIT {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String VILLAGE_SECRET = "village-secret-0123456789";
    private static final String COUNTY_SECRET = "county-secret-0123456789";

    private Database database;
    private Vertx vertx;
    private AlertSignalStore signals;
    private AlertActions actions;
    private WebhookStore webhooks;
    private CareTree tree;
    private SimpleMeterRegistry meters;
    private AlertingMetrics metrics;
    private HttpServer receiver;

    /** What the receiver was sent: every request, and the deliveries it accepted with a 2xx. */
    private record Received(String path, long deliveryId, String event, long alertId, JsonObject body,
                            boolean signatureValid, String contentType) {
    }

    /** An event as expected at a receiver: which alert, which event. */
    private record Expected(long alertId, String event) {
    }

    private final List<Received> requests = new CopyOnWriteArrayList<>();
    private final List<Received> accepted = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Integer> mostInFlight = new ConcurrentHashMap<>();

    @BeforeEach
    void start() {
        database = Database.open(TestPostgres.newDatabase());
        vertx = Vertx.vertx();
        signals = new AlertSignalStore(database.dataSource(), BuiltInRules.RULES::valueUnit);
        actions = new AlertActions(database.dataSource());
        webhooks = new WebhookStore(database.dataSource());
        tree = new CareTree(database.dataSource());
        meters = new SimpleMeterRegistry();
        metrics = new AlertingMetrics(meters);
    }

    @AfterEach
    void stop() throws Exception {
        await(vertx.close());
        database.close();
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Polls {@code condition} until it holds, failing with {@code what} after {@link #PATIENCE}. */
    private static void eventually(String what, Callable<Boolean> condition) throws Exception {
        Poll.until(what, PATIENCE, condition);
    }

    /** A port free on loopback right now, on which nothing listens yet. */
    private static int reservePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * Starts the receiver: on each path, the first {@code refusals} requests are answered 500, the rest 204 after
     * a short pause (so that two dispatchers working one queue at once would overlap and be seen).
     */
    private void startReceiver(int port, int refusals) throws Exception {
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        receiver = await(vertx.createHttpServer()
                .requestHandler(request -> request.body().onSuccess(body -> {
                    String path = request.path();
                    AtomicInteger flying = inFlight.computeIfAbsent(path, p -> new AtomicInteger());
                    mostInFlight.merge(path, flying.incrementAndGet(), Math::max);
                    Received r = received(request, body.getBytes());
                    requests.add(r);
                    boolean refuse = seen.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet() <= refusals;
                    vertx.setTimer(5, t -> {
                        flying.decrementAndGet();
                        if (refuse) {
                            request.response().setStatusCode(500).end("not today");
                        } else {
                            accepted.add(r);
                            request.response().setStatusCode(204).end();
                        }
                    });
                }))
                .listen(port, "127.0.0.1"));
    }

    private static Received received(HttpServerRequest request, byte[] body) {
        String secret = request.path().equals("/village") ? VILLAGE_SECRET : COUNTY_SECRET;
        JsonObject json = new JsonObject(new String(body, java.nio.charset.StandardCharsets.UTF_8));
        return new Received(request.path(), Long.parseLong(request.getHeader(WebhookDispatcher.DELIVERY_HEADER)),
                request.getHeader(WebhookDispatcher.EVENT_HEADER), json.getJsonObject("alert").getLong("id"), json,
                WebhookSignature.verify(secret, body, request.getHeader(WebhookDispatcher.SIGNATURE_HEADER)),
                request.getHeader("Content-Type"));
    }

    private void deployDispatcher() throws Exception {
        WebhookConfig config = WebhookConfig.from(Settings.of(Map.of(WebhookConfig.POLL, "100ms",
                WebhookConfig.TIMEOUT, "2s", WebhookConfig.BACKOFF_MIN, "40ms", WebhookConfig.BACKOFF_MAX, "300ms")));
        await(vertx.deployVerticle(new WebhookDispatcher(webhooks, metrics, Clock.systemUTC(),
                config)));
    }

    private static AlertSignal signal(long patient, Kind kind, Severity severity, double value) {
        return new AlertSignal(patient, "blood_pressure_high", kind, severity, Metric.SYSTOLIC_BP, value, value,
                System.currentTimeMillis() - 60_000, false, "systolic " + value, 1, 0);
    }

    private long open(long patient) throws SQLException {
        List<AlertChange> changes = signals.apply(List.of(signal(patient, Kind.OPEN, Severity.WARNING, 165)),
                Instant.now());
        assertThat(changes).extracting(AlertChange::kind).containsExactly(AlertChange.Kind.OPENED);
        return changes.get(0).alert().getLong("id");
    }

    private long count(String sql) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private double deliveries(String outcome) {
        return meters.get(AlertingMetrics.WEBHOOK_DELIVERIES).tag("outcome", outcome).counter().count();
    }

    /**
     * Verifies that, with the receiver down, then refusing, then accepting, each organisation receives every event
     * of its subtree exactly once, in outbox order, signed, while failed attempts are retried and never lost, and
     * that two dispatchers never work one organisation's queue at once.
     */
    @Test
    void everyEventReachesEachOrganisationOnceInOrderAfterTheReceiverComesBack() throws Exception {
        long county = tree.organisation("Lin county", "county", null);
        long township = tree.organisation("Dong township", "township", county);
        long village = tree.organisation("Liuzhuang village", "village", township);
        long otherVillage = tree.organisation("Xiwan village", "village", township);
        long doctor = tree.doctor("Dr Wang", village);
        long otherDoctor = tree.doctor("Dr Li", otherVillage);
        long team = tree.team("Liuzhuang team", village, doctor);
        long otherTeam = tree.team("Xiwan team", otherVillage, otherDoctor);
        long p1 = tree.patient("P1", team, doctor, "hypertension");
        long p2 = tree.patient("P2", team, doctor, "hypertension");
        long p3 = tree.patient("P3", team, doctor, "hypertension");
        long q1 = tree.patient("Q1", otherTeam, otherDoctor, "hypertension");

        int port = reservePort();
        webhooks.put(village, "http://127.0.0.1:" + port + "/village", VILLAGE_SECRET, Instant.now());
        webhooks.put(county, "http://127.0.0.1:" + port + "/county", COUNTY_SECRET, Instant.now());
        deployDispatcher();
        deployDispatcher();

        List<Expected> villageExpected = new ArrayList<>();
        List<Expected> countyExpected = new ArrayList<>();
        // In the order the transactions commit; a row for the village and one for the county each time, except
        // for the other village, which only the county hears of.
        long a1 = open(p1);
        villageExpected.add(new Expected(a1, "alert.opened"));
        countyExpected.add(new Expected(a1, "alert.opened"));
        List<AlertChange> both = signals.apply(List.of(signal(p2, Kind.OPEN, Severity.WARNING, 166),
                signal(q1, Kind.OPEN, Severity.WARNING, 167)), Instant.now());
        long a2 = both.get(0).alert().getLong("id");
        long a3 = both.get(1).alert().getLong("id");
        villageExpected.add(new Expected(a2, "alert.opened"));
        countyExpected.add(new Expected(a2, "alert.opened"));
        countyExpected.add(new Expected(a3, "alert.opened"));
        actions.acknowledge(a1, "doctor:" + doctor, Instant.now());
        villageExpected.add(new Expected(a1, "alert.acknowledged"));
        countyExpected.add(new Expected(a1, "alert.acknowledged"));
        long a4 = open(p3);
        villageExpected.add(new Expected(a4, "alert.opened"));
        countyExpected.add(new Expected(a4, "alert.opened"));
        signals.apply(List.of(signal(p2, Kind.WORSEN, Severity.CRITICAL, 185)), Instant.now());
        villageExpected.add(new Expected(a2, "alert.escalated"));
        countyExpected.add(new Expected(a2, "alert.escalated"));
        actions.resolve(a3, "doctor:" + otherDoctor, "contacted_patient", null, Instant.now());
        countyExpected.add(new Expected(a3, "alert.resolved"));

        // Receiver down: attempts are made and recorded on each queue's head only, and nothing is delivered.
        eventually("each queue's head failed at least three times", () -> count("""
                SELECT count(*) FROM webhook_outbox o
                 WHERE o.attempts >= 3 AND o.id = (SELECT min(id) FROM webhook_outbox h
                                                     WHERE h.organisation_id = o.organisation_id)""") == 2);
        assertThat(count("SELECT count(*) FROM webhook_outbox WHERE delivered_at IS NOT NULL")).isZero();
        assertThat(count("""
                SELECT count(*) FROM webhook_outbox o
                 WHERE o.attempts > 0 AND o.id > (SELECT min(id) FROM webhook_outbox h
                                                    WHERE h.organisation_id = o.organisation_id)"""))
                .as("rows behind a failing head wait").isZero();
        JsonObject villageHook = webhooks.webhook(village);
        assertThat(villageHook.getLong("backlog")).isEqualTo(villageExpected.size());
        assertThat(villageHook.getString("lastError")).isNotBlank();
        assertThat(villageHook.containsKey("secret")).isFalse();
        assertThat(deliveries("failed")).isGreaterThanOrEqualTo(6);
        assertThat(deliveries("delivered")).isZero();

        // The receiver comes up, refusing the first two requests of each queue with 500.
        startReceiver(port, 2);
        eventually("the backlog so far is delivered", () ->
                count("SELECT count(*) FROM webhook_outbox WHERE delivered_at IS NULL") == 0);

        // With the receiver up, new transitions go out as they happen.
        signals.apply(List.of(signal(p1, Kind.CLEAR, Severity.WARNING, 128)), Instant.now());
        villageExpected.add(new Expected(a1, "alert.resolved"));
        countyExpected.add(new Expected(a1, "alert.resolved"));
        actions.resolve(a4, "doctor:" + doctor, "false_alarm", "cuff too tight", Instant.now());
        villageExpected.add(new Expected(a4, "alert.resolved"));
        countyExpected.add(new Expected(a4, "alert.resolved"));
        eventually("every event is accepted", () -> accepted.size() == villageExpected.size() + countyExpected.size());
        eventually("every row is marked delivered", () ->
                count("SELECT count(*) FROM webhook_outbox WHERE delivered_at IS NULL") == 0);

        assertReceivedOnceInOrder("/village", villageExpected);
        assertReceivedOnceInOrder("/county", countyExpected);
        assertThat(requests).allSatisfy(r -> {
            assertThat(r.signatureValid()).as("signature of " + r).isTrue();
            assertThat(r.contentType()).isEqualTo("application/json");
        });
        assertThat(mostInFlight).as("one request at a time per organisation, across both dispatchers")
                .containsOnly(Map.entry("/village", 1), Map.entry("/county", 1));

        // The 500s were retries of the head, not losses: the refused deliveries came again and were accepted.
        for (String path : List.of("/village", "/county")) {
            List<Received> onPath = requests.stream().filter(r -> r.path().equals(path)).toList();
            assertThat(onPath.get(0).deliveryId()).isEqualTo(onPath.get(1).deliveryId()).isEqualTo(onPath.get(2).deliveryId());
        }
        assertThat(deliveries("delivered")).isEqualTo(accepted.size());
        assertThat(webhooks.webhook(county).getLong("backlog")).isZero();
        assertThat(webhooks.webhook(county).containsKey("lastError")).isFalse();
    }

    private void assertReceivedOnceInOrder(String path, List<Expected> expected) {
        List<Received> got = accepted.stream().filter(r -> r.path().equals(path)).toList();
        assertThat(got).extracting(r -> new Expected(r.alertId(), r.event())).containsExactlyElementsOf(expected);
        Set<Long> ids = new HashSet<>();
        long previous = 0;
        for (Received r : got) {
            assertThat(ids.add(r.deliveryId())).as("delivery " + r.deliveryId() + " accepted once").isTrue();
            assertThat(r.deliveryId()).as("outbox order").isGreaterThan(previous);
            previous = r.deliveryId();
            assertThat(r.body().getLong("deliveryId")).isEqualTo(r.deliveryId());
            assertThat(r.body().getString("event")).isEqualTo(r.event());
        }
        List<Long> opened = got.stream().filter(r -> r.event().equals("alert.opened")).map(Received::alertId).toList();
        assertThat(opened).as("each alert opened once, in order of opening").doesNotHaveDuplicates().isSorted();
    }
}
