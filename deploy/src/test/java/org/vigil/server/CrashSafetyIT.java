package org.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
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
 * Verifies that an acknowledged reading survives SIGKILL: a device publishes a numbered stream at QoS 1,
 * the server process is killed mid-stream and restarted, the device resends everything it has no PUBACK
 * for (and, as a device that lost its session might, part of what it had), and then every acknowledged
 * reading is stored, each exactly once.
 */
@Timeout(300)
class CrashSafetyIT {

    private static final int MESSAGES = 4000;
    private static final int KILL_AFTER_ACKS = 1500;
    private static final int WINDOW = 50;

    @Test
    void everyAcknowledgedReadingSurvivesSigkillAndRedeliveriesAreStoredOnce(@TempDir Path dir) throws Exception {
        Map<String, String> env = ServerProcess.withFreePorts(TestServers.unlimitedRate(TestServers.externalDatabase()));
        env.put("VIGIL_DATA_DIR", dir.resolve("data").toString());
        int httpPort = Integer.parseInt(env.get("VIGIL_HTTP_PORT"));
        String uri = "tcp://127.0.0.1:" + env.get("VIGIL_MQTT_PORT");
        BitSet acked = new BitSet(MESSAGES);

        try (ServerProcess server = new ServerProcess(env, dir.resolve("server.log"), httpPort)) {
            server.start();
            Devices device;
            try (ApiClient api = new ApiClient(httpPort, TestServers.TOKEN)) {
                device = Devices.register(api, "CRASH");
            }
            long base = baseOf(device);

            // Phase 1: stream until the server dies under us.
            MqttAsyncClient first = connect(uri, device);
            CountDownLatch killed = new CountDownLatch(1);
            AtomicInteger ackCount = new AtomicInteger();
            Thread killer = Thread.ofPlatform().start(() -> {
                try {
                    while (ackCount.get() < KILL_AFTER_ACKS) {
                        Thread.onSpinWait();
                    }
                    server.kill();
                    killed.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            publish(first, device, 0, MESSAGES, acked, ackCount, killed);
            assertThat(killed.await(60, TimeUnit.SECONDS)).isTrue();
            killer.join();
            first.close(true);
            int ackedBeforeKill = acked.cardinality();
            assertThat(ackedBeforeKill).isBetween(KILL_AFTER_ACKS, MESSAGES - 1);

            // Phase 2: restart; resend what was never acknowledged, plus the first 200 acknowledged ones again.
            server.start();
            BitSet resend = new BitSet(MESSAGES);
            resend.set(0, MESSAGES);
            resend.andNot(acked);
            int duplicates = 0;
            for (int i = acked.nextSetBit(0); i >= 0 && duplicates < 200; i = acked.nextSetBit(i + 1), duplicates++) {
                resend.set(i);
            }
            MqttAsyncClient second = connect(uri, device);
            BitSet ackedAgain = new BitSet(MESSAGES);
            publishAll(second, device, resend, ackedAgain);
            second.disconnect().waitForCompletion(5_000);
            second.close();
            assertThat(ackedAgain).isEqualTo(resend);

            try (Connection c = TestServers.database(env);
                    PreparedStatement ps = c.prepareStatement("SELECT count(*), count(DISTINCT ts),"
                            + " min(extract(epoch from ts) * 1000)::bigint, max(extract(epoch from ts) * 1000)::bigint"
                            + " FROM reading WHERE device_id = ?")) {
                ps.setLong(1, device.id());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("every message stored once").isEqualTo(MESSAGES);
                    assertThat(rs.getLong(2)).isEqualTo(MESSAGES);
                    assertThat(rs.getLong(3)).isEqualTo(base);
                    assertThat(rs.getLong(4)).isEqualTo(base + MESSAGES - 1);
                }
            }
            assertThat(server.terminate(Duration.ofSeconds(60))).as("SIGTERM stops the server cleanly").isIn(0, 143);
        }
    }

    private static MqttAsyncClient connect(String uri, Devices device) throws MqttException {
        return device.connectAsync(uri, device.serial() + "-" + System.nanoTime(), WINDOW * 2, 20_000);
    }

    private static byte[] payload(long base, int i) {
        return Devices.heartRate(base + i, 60 + i % 50).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Publishes {@code [from, to)} with a bounded window until done or the connection is lost. */
    private static void publish(MqttAsyncClient client, Devices device, int from, int to, BitSet acked,
            AtomicInteger ackCount, CountDownLatch killed) throws InterruptedException {
        long base = baseOf(device);
        Semaphore window = new Semaphore(WINDOW);
        for (int i = from; i < to && killed.getCount() > 0; i++) {
            if (!window.tryAcquire(10, TimeUnit.SECONDS)) {
                return; // the server is gone and holds our window
            }
            int index = i;
            try {
                client.publish(device.topic(), payload(base, i), 1, false, null, acking(index, acked, ackCount, window));
            } catch (MqttException e) {
                return; // connection lost: phase 1 is over
            }
        }
    }

    private static void publishAll(MqttAsyncClient client, Devices device, BitSet which, BitSet acked) throws Exception {
        long base = baseOf(device);
        Semaphore window = new Semaphore(WINDOW);
        for (int i = which.nextSetBit(0); i >= 0; i = which.nextSetBit(i + 1)) {
            assertThat(window.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
            int index = i;
            client.publish(device.topic(), payload(base, i), 1, false, null, acking(index, acked, null, window));
        }
        assertThat(window.tryAcquire(WINDOW, 30, TimeUnit.SECONDS)).as("all acknowledged").isTrue();
    }

    /**
     * On the PUBACK of reading {@code index}: marks it acknowledged, counts it ({@code ackCount} may be null) and
     * frees its slot of the window; a failed publish frees the slot alone.
     */
    private static IMqttActionListener acking(int index, BitSet acked, AtomicInteger ackCount, Semaphore window) {
        return new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                synchronized (acked) {
                    acked.set(index);
                }
                if (ackCount != null) {
                    ackCount.incrementAndGet();
                }
                window.release();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable exception) {
                window.release();
            }
        };
    }

    /** One base time per device, so the stream's timestamps are the same in both phases. */
    private static final Map<Long, Long> BASES = new java.util.concurrent.ConcurrentHashMap<>();

    private static long baseOf(Devices device) {
        return BASES.computeIfAbsent(device.id(), id -> Instant.now().toEpochMilli() - Duration.ofHours(1).toMillis());
    }
}
