package org.vigil.simulator.load;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.MqttConnectionException;
import java.util.function.Consumer;
import org.vigil.simulator.population.Payloads;

/**
 * A device connection on a Vert.x MQTT client, living on its lane's event loop: it is created, connected
 * and driven there, so every callback (CONNACK, PUBACK, close) runs on that loop and nothing needs a lock.
 *
 * <p>PUBACK latency needs each message's send time. MQTT requires a server to acknowledge QoS 1
 * messages of one connection in the order it received them (MQTT 3.1.1 §4.6), so the send times wait in
 * a ring the size of the in-flight window and each PUBACK takes the oldest: no map, no per-message
 * allocation beyond the client's own.
 *
 * <p>The client library's own acknowledgement timeout is off: it sets and cancels a timer for every
 * message, which at tens of thousands of messages a second cost the load generator more CPU than encoding
 * them. The oldest send time in the ring says the same thing when the lane asks once a second
 * ({@link #expireOverdue}).
 */
final class VertxLink implements DeviceLink {

    private final Vertx vertx;
    private final LinkSettings settings;
    private final String serial;
    private final String secret;
    private final String clientId;
    private final String topic;
    private final String localAddress;
    private final LaneStats stats;
    private final long[] sentAt;
    private final int[] readings;
    private int head;
    private int count;
    private MqttClient client;
    private boolean up;
    private boolean closing;
    /** Gave up on this connection for overdue PUBACKs; nothing more is sent or counted until it closes. */
    private boolean expiring;

    VertxLink(Vertx vertx, LinkSettings settings, String serial, String secret, String clientId, String localAddress,
            LaneStats stats) {
        this.vertx = vertx;
        this.settings = settings;
        this.serial = serial;
        this.secret = secret;
        this.clientId = clientId;
        this.topic = Payloads.topic(serial);
        this.localAddress = localAddress;
        this.stats = stats;
        this.sentAt = new long[settings.window()];
        this.readings = new int[settings.window()];
    }

    @Override
    public void connect(Consumer<ConnectOutcome> done, Runnable lost) {
        closing = false;
        expiring = false;
        MqttClientOptions options = new MqttClientOptions()
                .setClientId(clientId)
                .setUsername(serial)
                .setPassword(secret)
                .setCleanSession(true)
                .setKeepAliveInterval(settings.keepAliveSeconds())
                .setAutoKeepAlive(true)
                // One more than our own window: the client's own limit must never be what refuses a message.
                .setMaxInflightQueue(settings.window() + 1)
                .setAckTimeout(-1);
        options.setConnectTimeout((int) settings.connectTimeoutMillis());
        if (localAddress != null) {
            options.setLocalAddress(localAddress);
        }
        MqttClient c = MqttClient.create(vertx, options);
        client = c;
        c.publishCompletionHandler(id -> acknowledged());
        c.closeHandler(v -> closed(c, lost));
        c.connect(settings.port(), settings.host()).onComplete(ar -> {
            if (ar.succeeded()) {
                up = true;
                stats.connected.increment();
                stats.connects.increment();
                done.accept(ConnectOutcome.CONNECTED);
            } else {
                done.accept(ar.cause() instanceof MqttConnectionException ? ConnectOutcome.REFUSED : ConnectOutcome.FAILED);
            }
        });
    }

    @Override
    public boolean connected() {
        return up;
    }

    @Override
    public int inFlight() {
        return count;
    }

    @Override
    public boolean publish(byte[] payload, int qos, int values) {
        if (!up || expiring) {
            return false;
        }
        if (qos == 0) {
            client.publish(topic, Buffer.buffer(payload), MqttQoS.AT_MOST_ONCE, false, false).onComplete(ar -> {
                if (ar.succeeded()) {
                    stats.acknowledged.increment();
                } else {
                    stats.error(ErrorKind.PUBLISH_FAILED);
                }
            });
            return true;
        }
        if (count == sentAt.length) {
            return false;
        }
        int slot = (head + count) % sentAt.length;
        sentAt[slot] = System.nanoTime();
        readings[slot] = values;
        count++;
        stats.inFlight.increment();
        client.publish(topic, Buffer.buffer(payload), MqttQoS.AT_LEAST_ONCE, false, false)
                // A failed write means the connection is going; its close accounts for what was in flight.
                .onFailure(e -> stats.error(ErrorKind.PUBLISH_FAILED));
        return true;
    }

    private void acknowledged() {
        // After giving up, a late PUBACK may still be for a message already counted as timed out.
        if (count == 0 || expiring) {
            return;
        }
        long latency = System.nanoTime() - sentAt[head];
        int values = readings[head];
        head = (head + 1) % sentAt.length;
        count--;
        stats.puback(latency, values);
    }

    @Override
    public void expireOverdue(long now) {
        long limit = settings.ackTimeoutSeconds() * 1_000_000_000L;
        if (!up || count == 0 || now - sentAt[head] < limit) {
            return;
        }
        while (count > 0 && now - sentAt[head] >= limit) {
            head = (head + 1) % sentAt.length;
            count--;
            stats.inFlight.decrement();
            stats.error(ErrorKind.ACK_TIMEOUT);
        }
        // The library still holds those messages and would never send more past its in-flight limit; a device
        // that waited this long drops the connection and connects again. The younger messages still in flight
        // are counted lost when it closes; the close itself is ours, not the server's.
        expiring = true;
        client.disconnect();
    }

    private void closed(MqttClient which, Runnable lost) {
        if (which != client || !up) {
            return;
        }
        up = false;
        stats.connected.decrement();
        if (count > 0) {
            stats.errors(ErrorKind.LOST_IN_FLIGHT, count);
            stats.inFlight.add(-count);
            count = 0;
        }
        if (expiring) {
            lost.run();
        } else if (!closing) {
            stats.error(ErrorKind.CONNECTION_LOST);
            lost.run();
        }
    }

    @Override
    public void disconnect() {
        closing = true;
        if (client != null && up) {
            client.disconnect();
        }
    }

    @Override
    public int abandon() {
        int n = count;
        stats.inFlight.add(-n);
        count = 0;
        return n;
    }
}
