package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.common.testing.Poll;

/**
 * The embedded PostgreSQL's postmaster is killed with SIGKILL under a running server. The server must restart
 * its database by itself; readings published meanwhile are held unacknowledged, then acknowledged and stored;
 * the API answers 503 while the database is down, and answers again once it is back.
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
            MqttAsyncClient client = device.connectAsync("tcp://127.0.0.1:" + server.mqttPort(), device.serial() + "-a",
                    20, 10_000);
            client.publish(device.topic(), Devices.heartRate(ts, 70).getBytes(), 1, false).waitForCompletion(10_000);

            long postmaster = EmbeddedPostmaster.pid(data);
            int port = EmbeddedPostmaster.port(data);
            ProcessHandle.of(postmaster).orElseThrow().destroyForcibly();

            CountDownLatch acked;
            // Held down: the supervisor restarts the database 1 s after its death. While the test holds its port,
            // each restart fails and no connection reaches a database, so the API is asked while it is surely down.
            try (ServerSocket held = holdPort(postmaster, port)) {
                acked = device.publishCounted(client, ts, 10);
                UnavailableAnswer.await(api, "/api/v1/patients/" + device.patientId() + "/vitals");
            }
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

    /**
     * Listens on the killed postmaster's port once it has let go of it, and closes every connection at once: a
     * PostgreSQL started on the port cannot listen on it, and a client gets no server, as while the database
     * restarts. Address reuse, as PostgreSQL's own, because its dead backends' connections linger on the port.
     */
    private static ServerSocket holdPort(long postmaster, int port) throws Exception {
        Poll.until("the killed postmaster exited", Duration.ofSeconds(10), () -> !EmbeddedPostmaster.running(postmaster));
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
        ServerSocket[] held = new ServerSocket[1];
        // The restart comes a second after the death, and the port is free at once: this takes a moment.
        Poll.until("port " + port + " held before the supervisor restarts PostgreSQL on it", Duration.ofSeconds(10),
                () -> {
                    ServerSocket socket = new ServerSocket();
                    socket.setReuseAddress(true);
                    try {
                        socket.bind(address);
                        held[0] = socket;
                        return true;
                    } catch (BindException stillBound) {
                        socket.close();
                        return false;
                    }
                });
        Thread.ofPlatform().daemon().name("port-holder").start(() -> {
            try (ServerSocket socket = held[0]) {
                while (true) {
                    socket.accept().close();
                }
            } catch (IOException closed) {
                // the test let go of the port
            }
        });
        return held[0];
    }
}
