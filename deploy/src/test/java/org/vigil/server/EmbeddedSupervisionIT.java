package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.common.testing.Poll;

/**
 * The embedded PostgreSQL's postmaster is killed with SIGKILL under a running server. The server must restart
 * its database by itself; readings published meanwhile are held unacknowledged, then acknowledged and stored,
 * and the API answers again.
 */
@Timeout(240)
class EmbeddedSupervisionIT {

    @Test
    void aKilledEmbeddedDatabaseIsRestartedAndTheReadingsHeldMeanwhileAreStored(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (VigilServer server = TestServers.start(TestServers.embeddedDatabase(data));
                ApiClient api = new ApiClient(server.httpPort(), server.adminToken())) {
            Devices device = Devices.register(api, "SUPERVISED");
            long ts = Instant.now().toEpochMilli() - 600_000;
            MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + server.mqttPort(), device.serial() + "-a",
                    new MemoryPersistence());
            MqttConnectOptions options = device.options();
            options.setMaxInflight(20);
            client.connect(options).waitForCompletion(10_000);
            client.publish(device.topic(), Devices.heartRate(ts, 70).getBytes(), 1, false).waitForCompletion(10_000);

            long postmaster = EmbeddedPostmaster.pid(data);
            ProcessHandle.of(postmaster).orElseThrow().destroyForcibly();

            CountDownLatch acked = device.publishCounted(client, ts, 10);
            assertThat(acked.await(120, TimeUnit.SECONDS)).as("every reading acknowledged once the database is back")
                    .isTrue();
            client.disconnect().waitForCompletion(5_000);
            client.close();
            // The backends may outlive their killed postmaster for a moment and commit (durably) what came first:
            // the API is asked once the supervisor has started the database again.
            Poll.until("the embedded database restarted", Duration.ofSeconds(60),
                    () -> api.metric("vigil_db_embedded_restarts_total") == 1.0);

            assertThat(api.get("/api/v1/patients/" + device.patientId() + "/vitals").getJsonArray("items")).hasSize(11);
            assertThat(api.send("GET", "/health", null).statusCode()).isEqualTo(200);
            assertThat(api.metric("vigil_db_embedded_restarts_total")).isEqualTo(1.0);
            assertThat(EmbeddedPostmaster.pid(data)).as("a new postmaster").isNotEqualTo(postmaster);
        }
    }
}
