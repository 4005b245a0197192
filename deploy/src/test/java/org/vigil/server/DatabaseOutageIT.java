package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.common.testing.Poll;

/**
 * PostgreSQL stops for 30 seconds and comes back. Ingest must stay up, acknowledge nothing it cannot
 * store, refuse (and count) what does not fit its bounded queue, and resume by itself: every message
 * sent at QoS 1 during the outage is acknowledged and stored afterwards. The API answers 503 meanwhile, and
 * again as before once the database is back.
 */
@Timeout(240)
class DatabaseOutageIT {

    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @Test
    void ingestHoldsOnThroughADatabaseOutageAndLosesNothingAcknowledged(@TempDir Path dir) throws Exception {
        Path pgData = dir.resolve("pg");
        int pgPort = ServerProcess.freePort();
        EmbeddedPostgres pg = startPostgres(pgData, pgPort);
        Map<String, String> env = TestServers.unlimitedRate(TestServers.loopback());
        env.put("VIGIL_DB_URL", "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres");
        env.put("VIGIL_DB_USER", "postgres");
        env.put("VIGIL_ADMIN_TOKEN", TestServers.TOKEN);
        env.put("VIGIL_INGEST_QUEUE", "20");
        // Two writers: devices map to writers by id, so the flood fills one queue and the steady device keeps the other.
        env.put("VIGIL_INGEST_WRITERS", "2");

        try (VigilServer server = TestServers.start(env); ApiClient api = new ApiClient(server.httpPort(), server.adminToken())) {
            String uri = "tcp://127.0.0.1:" + server.mqttPort();
            Devices steady = Devices.register(api, "STEADY");
            Devices flood = Devices.register(api, "FLOOD");
            Devices late = Devices.register(api, "LATE");
            assertThat(Math.floorMod(flood.id(), 2)).as("flood and steady device use different writers")
                    .isNotEqualTo(Math.floorMod(steady.id(), 2));
            long ts = Instant.now().toEpochMilli() - 600_000;

            MqttAsyncClient device = steady.connectAsync(uri, steady.serial() + "-a", 10, 10_000);
            device.publish(steady.topic(), Devices.heartRate(ts, 70).getBytes(), 1, false).waitForCompletion(10_000);
            MqttClient flooder = flood.connect(uri);

            pg.close();
            assertThat(api.send("GET", "/health", null).statusCode()).isEqualTo(503);
            // The API says the database is unavailable, not that the server failed: 503 with Retry-After.
            String vitals = "/api/v1/patients/" + steady.patientId() + "/vitals";
            UnavailableAnswer.check(api, "GET", vitals, api.send("GET", vitals, null));
            assertThat(api.metric("vigil_http_requests_seconds_count{method=\"GET\","
                    + "route=\"/api/v1/patients/:id/vitals\",status=\"503\"}")).isEqualTo(1.0);

            CountDownLatch acked = steady.publishCounted(device, ts, 10);
            // A QoS 0 flood beyond the queue: refused and counted, and the flooding connection is closed.
            // On a thread of its own: Paho's synchronous publish can stay blocked when the server closes the
            // connection under it, and the test must go on to see that close.
            Thread flooding = Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (int i = 0; i < 200 && flooder.isConnected(); i++) {
                        flooder.getTopic(flood.topic()).publish(Devices.message(Devices.heartRate(ts + i, 80), 0));
                    }
                } catch (MqttException closedByServer) {
                    // expected once the queue is full
                }
            });
            flooding.join(TimeUnit.SECONDS.toMillis(20));
            Poll.upTo(Duration.ofSeconds(10), () -> !flooder.isConnected());
            assertThat(flooder.isConnected()).as("the server closed the flooding connection").isFalse();
            try {
                flooder.close(true);
            } catch (MqttException stillClosing) {
                // the blocked publish still holds the client; the connection is gone, which is what counts
            }
            assertThat(api.metric("vigil_ingest_readings_rejected_total{reason=\"overloaded\"}")).isGreaterThan(0);

            // A device not yet in the cache cannot be checked: refused as "server unavailable", promptly.
            MqttClient lateClient = new MqttClient(uri, late.serial(), new MemoryPersistence());
            try {
                lateClient.connect(late.options());
                throw new AssertionError("connected without a registry");
            } catch (MqttException e) {
                assertThat(e.getReasonCode()).isEqualTo(MqttException.REASON_CODE_BROKER_UNAVAILABLE);
            } finally {
                lateClient.close(true);
            }

            assertThat(acked.await(OUTAGE.toMillis(), TimeUnit.MILLISECONDS))
                    .as("nothing is acknowledged while the database is down").isFalse();
            assertThat(acked.getCount()).isEqualTo(10);

            pg = startPostgres(pgData, pgPort);
            assertThat(acked.await(60, TimeUnit.SECONDS)).as("every held message acknowledged after recovery").isTrue();
            device.disconnect().waitForCompletion(5_000);
            device.close();

            assertThat(api.get(vitals).getJsonArray("items")).hasSize(11);
            assertThat(api.send("GET", "/health", null).statusCode()).isEqualTo(200);
            assertThat(api.metric("vigil_ingest_batch_failures_total")).isGreaterThan(0);
        } finally {
            pg.close();
        }
    }

    private static EmbeddedPostgres startPostgres(Path data, int port) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port)
                .setPGStartupWait(Duration.ofSeconds(60)).start();
    }

}
