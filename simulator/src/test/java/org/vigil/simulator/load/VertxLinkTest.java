package org.vigil.simulator.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.common.testing.Poll;

/**
 * The Vert.x link against a real MQTT server on loopback that acknowledges only when told to. The ack
 * timeout is judged from the time passed in, so nothing here waits for it to run out.
 */
@Timeout(30)
class VertxLinkTest {

    private static final long SECOND = 1_000_000_000L;

    private Vertx vertx;
    private MqttServer server;
    private final AtomicBoolean acknowledge = new AtomicBoolean();
    private final AtomicInteger received = new AtomicInteger();
    private final AtomicInteger connects = new AtomicInteger();

    @BeforeEach
    void startServer() throws Exception {
        vertx = Vertx.vertx();
        server = MqttServer.create(vertx, new MqttServerOptions().setHost("127.0.0.1").setPort(0));
        server.endpointHandler(endpoint -> {
            connects.incrementAndGet();
            endpoint.publishAutoAck(false);
            endpoint.publishHandler(m -> {
                received.incrementAndGet();
                if (acknowledge.get()) {
                    endpoint.publishAcknowledge(m.messageId());
                }
            });
            endpoint.accept(false);
        });
        server.listen().await();
    }

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    @Test
    void messagesUnacknowledgedPastTheTimeoutCountAsTimedOutAndTheDeviceReconnects() throws Exception {
        Fixture f = connected();
        f.onLoop(() -> {
            for (int i = 0; i < 3; i++) {
                assertThat(f.link.publish("{}".getBytes(StandardCharsets.UTF_8), 1, 1)).isTrue();
            }
        });
        awaitReceived(3);
        long sent = System.nanoTime();

        f.onLoop(() -> f.link.expireOverdue(sent + SECOND / 2));
        assertThat(f.stats.errors(ErrorKind.ACK_TIMEOUT)).as("not overdue yet").isZero();
        assertThat(f.link.inFlight()).isEqualTo(3);

        f.onLoop(() -> {
            f.link.expireOverdue(sent + 2 * SECOND);
            assertThat(f.link.publish("{}".getBytes(StandardCharsets.UTF_8), 1, 1))
                    .as("nothing more is sent on a connection given up").isFalse();
        });
        assertThat(f.stats.errors(ErrorKind.ACK_TIMEOUT)).isEqualTo(3);
        assertThat(f.stats.inFlight.sum()).isZero();
        assertThat(f.lost.await(10, TimeUnit.SECONDS)).as("the connection was given up").isTrue();
        assertThat(f.stats.errors(ErrorKind.LOST_IN_FLIGHT)).isZero();
        assertThat(f.stats.errors(ErrorKind.CONNECTION_LOST)).as("the simulator closed it, not the server").isZero();
        assertThat(f.stats.errors(ErrorKind.PUBLISH_FAILED)).isZero();
    }

    @Test
    void acknowledgedMessagesNeverTimeOut() throws Exception {
        acknowledge.set(true);
        Fixture f = connected();
        f.onLoop(() -> {
            for (int i = 0; i < 5; i++) {
                assertThat(f.link.publish("{}".getBytes(StandardCharsets.UTF_8), 1, 2)).isTrue();
            }
        });
        Poll.upTo(Duration.ofSeconds(10), () -> f.stats.pubacks.sum() >= 5);
        assertThat(f.stats.pubacks.sum()).isEqualTo(5);
        f.onLoop(() -> f.link.expireOverdue(System.nanoTime() + 10 * SECOND));
        assertThat(f.stats.errors(ErrorKind.ACK_TIMEOUT)).isZero();
        assertThat(f.lost.getCount()).as("still connected").isEqualTo(1);
        assertThat(connects.get()).isEqualTo(1);
    }

    private record Fixture(Context loop, VertxLink link, LaneStats stats, CountDownLatch lost) {
        void onLoop(Runnable action) throws Exception {
            CompletableFuture<Void> done = new CompletableFuture<>();
            loop.runOnContext(v -> {
                try {
                    action.run();
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            });
            done.get(10, TimeUnit.SECONDS);
        }
    }

    private Fixture connected() throws Exception {
        LaneStats stats = new LaneStats(false);
        LinkSettings settings = new LinkSettings("127.0.0.1", server.actualPort(), 8, 60, 1, 5_000);
        Context loop = vertx.getOrCreateContext();
        CountDownLatch lost = new CountDownLatch(1);
        CompletableFuture<DeviceLink.ConnectOutcome> outcome = new CompletableFuture<>();
        VertxLink[] link = new VertxLink[1];
        loop.runOnContext(v -> {
            link[0] = new VertxLink(vertx, settings, "sim-1", "secret", "sim-1", null, stats);
            link[0].connect(outcome::complete, lost::countDown);
        });
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isEqualTo(DeviceLink.ConnectOutcome.CONNECTED);
        return new Fixture(loop, link[0], stats, lost);
    }

    private void awaitReceived(int n) throws Exception {
        Poll.upTo(Duration.ofSeconds(10), () -> received.get() >= n);
        assertThat(received.get()).isEqualTo(n);
    }
}
