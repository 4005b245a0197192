package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a server on its embedded PostgreSQL while devices stream readings: Vigil stops accepting, drains
 * its writers, records the devices' state, and only then stops the database, so nothing fails for want of it.
 */
@Timeout(300)
class ShutdownOrderIT {

    private static final int DEVICES = 3;
    private static final int MAX_MESSAGES = 900;
    private static final int WINDOW = 20;

    @Test
    void sigtermDrainsAndRecordsDeviceStateBeforeTheDatabaseStops(@TempDir Path dir) throws Exception {
        Map<String, String> env = ServerProcess.withFreePorts(
                TestServers.unlimitedRate(TestServers.embeddedDatabase(dir.resolve("data"))));
        int httpPort = Integer.parseInt(env.get("VIGIL_HTTP_PORT"));
        // Only the shutdown records what the devices did: nothing is written on a timer before it.
        env.put("VIGIL_DEVICE_STATE_FLUSH", "1h");
        Path log = dir.resolve("server.log");

        try (ServerProcess server = new ServerProcess(env, log, httpPort)) {
            server.start();
            List<Devices> devices = new ArrayList<>();
            try (ApiClient api = new ApiClient(httpPort, TestServers.TOKEN)) {
                for (int i = 0; i < DEVICES; i++) {
                    devices.add(Devices.register(api, "SIGTERM"));
                }
            }
            List<Stream> streams = new ArrayList<>();
            for (Devices device : devices) {
                streams.add(new Stream(device, "tcp://127.0.0.1:" + env.get("VIGIL_MQTT_PORT")));
            }
            for (Stream stream : streams) {
                assertThat(stream.streaming.await(60, TimeUnit.SECONDS)).as("devices are streaming").isTrue();
            }

            long before = Files.size(log);
            int exit = server.terminate(Duration.ofSeconds(90));
            for (Stream stream : streams) {
                stream.stop();
            }
            String shutdown = Files.readString(log).substring((int) before);
            assertThat(exit).as("clean exit on SIGTERM").isIn(0, 143);
            assertThat(shutdown).contains("Vigil stopped")
                    .doesNotContain("terminating connection due to administrator command")
                    .doesNotContain("Device activity not recorded")
                    .doesNotContain("did not stop cleanly");

            server.start();
            try (ApiClient api = new ApiClient(httpPort, TestServers.TOKEN)) {
                for (Stream stream : streams) {
                    assertThat(api.get("/api/v1/devices/" + stream.device.id()).getString("lastSeenAt"))
                            .as("the device's activity was recorded at shutdown").isNotNull();
                    JsonArray stored = api.get("/api/v1/patients/" + stream.device.patientId() + "/vitals?limit=1000")
                            .getJsonArray("items");
                    assertThat(stored.size()).as("every acknowledged reading stored").isGreaterThanOrEqualTo(stream.acked.get());
                }
            }
            assertThat(server.terminate(Duration.ofSeconds(60))).isIn(0, 143);
        }
    }

    /** One device publishing a bounded stream at QoS 1, paced, with a window of unacknowledged messages. */
    private static final class Stream {

        final Devices device;
        final AtomicInteger acked = new AtomicInteger();
        final CountDownLatch streaming = new CountDownLatch(WINDOW);
        private final MqttAsyncClient client;
        private final Thread publisher;
        private volatile boolean stopped;

        Stream(Devices device, String uri) throws MqttException {
            this.device = device;
            client = device.connectAsync(uri, device.serial() + "-s", WINDOW * 2, 20_000);
            publisher = Thread.ofPlatform().daemon().start(this::publish);
        }

        private void publish() {
            long base = Instant.now().toEpochMilli() - Duration.ofHours(1).toMillis();
            Semaphore window = new Semaphore(WINDOW);
            try {
                for (int i = 0; i < MAX_MESSAGES && !stopped; i++) {
                    if (!window.tryAcquire(10, TimeUnit.SECONDS)) {
                        return;
                    }
                    // A device's pace (some 200 messages a second), so the stream is still going at the SIGTERM.
                    Thread.sleep(5);
                    client.publish(device.topic(), Devices.heartRate(base + i, 60 + i % 40).getBytes(), 1, false, null,
                            new IMqttActionListener() {
                                @Override
                                public void onSuccess(IMqttToken token) {
                                    acked.incrementAndGet();
                                    streaming.countDown();
                                    window.release();
                                }

                                @Override
                                public void onFailure(IMqttToken token, Throwable exception) {
                                    window.release();
                                }
                            });
                }
            } catch (MqttException | InterruptedException e) {
                // the server closed the connection: the stream is over
            }
        }

        void stop() throws Exception {
            stopped = true;
            publisher.join(20_000);
            client.close(true);
        }
    }
}
