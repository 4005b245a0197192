package org.vigil.simulator.load;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.ScheduledExecutorPingSender;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.simulator.population.Payloads;

/**
 * A device connection on a Paho client: the realistic choice (Paho is what many device gateways embed),
 * but each client runs its own receiver, sender and callback threads, hence the 2000-device cap.
 *
 * <p>The lane's thread sends; Paho acknowledges on the client's callback thread, which records straight
 * into the (multi-writer) {@link LaneStats}; connection outcomes hop back to the lane's thread through
 * {@code laneThread}.
 */
final class PahoLink implements DeviceLink {

    private static final Logger LOG = LoggerFactory.getLogger(PahoLink.class);

    private final String serial;
    private final String secret;
    private final String topic;
    private final LinkSettings settings;
    private final LaneStats stats;
    private final Executor laneThread;
    private final MqttAsyncClient client;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final IMqttActionListener delivery;
    private volatile boolean up;
    private volatile boolean closing;
    private volatile Runnable lost = () -> { };

    PahoLink(String serial, String secret, String clientId, String serverUri, LinkSettings settings,
            ScheduledExecutorService pings, Executor laneThread, LaneStats stats) {
        this.serial = serial;
        this.secret = secret;
        this.topic = Payloads.topic(serial);
        this.settings = settings;
        this.stats = stats;
        this.laneThread = laneThread;
        try {
            // Memory persistence: file persistence would litter the working directory, and a clean session
            // has nothing worth keeping across runs.
            this.client = new MqttAsyncClient(serverUri, clientId, new MemoryPersistence(), new ScheduledExecutorPingSender(pings));
        } catch (MqttException e) {
            throw new IllegalStateException("cannot create an MQTT client for " + serial + ": " + e, e);
        }
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                LOG.debug("Connection lost [device: {}]: {}", serial, String.valueOf(cause));
                up = false;
                stats.connected.decrement();
                if (!closing) {
                    stats.error(ErrorKind.CONNECTION_LOST);
                    laneThread.execute(lost);
                }
            }

            @Override
            public void messageArrived(String t, MqttMessage message) {
                // Devices subscribe to nothing.
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // Outcomes are counted by the per-publish listener, which also carries the start time.
            }
        });
        this.delivery = new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                long[] context = (long[]) token.getUserContext();
                if (context[1] < 0) {
                    stats.acknowledged.increment();
                    return;
                }
                inFlight.decrementAndGet();
                stats.puback(System.nanoTime() - context[0], (int) context[1]);
            }

            @Override
            public void onFailure(IMqttToken token, Throwable cause) {
                long[] context = (long[]) token.getUserContext();
                if (context[1] >= 0) {
                    inFlight.decrementAndGet();
                    stats.inFlight.decrement();
                }
                stats.error(ErrorKind.LOST_IN_FLIGHT);
                LOG.debug("Delivery failed [device: {}]: {}", serial, String.valueOf(cause));
            }
        };
    }

    @Override
    public void connect(Consumer<ConnectOutcome> done, Runnable onLost) {
        this.lost = onLost;
        closing = false;
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName(serial);
        options.setPassword(secret.toCharArray());
        options.setCleanSession(true);
        options.setKeepAliveInterval(settings.keepAliveSeconds());
        // Paho's default of 10 would be the window; ours is enforced in publish(), with one spare.
        options.setMaxInflight(settings.window() + 1);
        options.setConnectionTimeout((int) Math.max(1, settings.connectTimeoutMillis() / 1000));
        // A reconnecting client would hide connection problems from the counts; the lane reconnects itself.
        options.setAutomaticReconnect(false);
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        try {
            client.connect(options, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    up = true;
                    stats.connected.increment();
                    stats.connects.increment();
                    laneThread.execute(() -> done.accept(ConnectOutcome.CONNECTED));
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    int reason = cause instanceof MqttException e ? e.getReasonCode() : -1;
                    boolean refused = reason == MqttException.REASON_CODE_FAILED_AUTHENTICATION
                            || reason == MqttException.REASON_CODE_NOT_AUTHORIZED
                            || reason == MqttException.REASON_CODE_BROKER_UNAVAILABLE;
                    LOG.debug("Connect failed [device: {}]: {}", serial, String.valueOf(cause));
                    laneThread.execute(() -> done.accept(refused ? ConnectOutcome.REFUSED : ConnectOutcome.FAILED));
                }
            });
        } catch (MqttException e) {
            laneThread.execute(() -> done.accept(ConnectOutcome.FAILED));
        }
    }

    @Override
    public boolean connected() {
        return up;
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public boolean publish(byte[] payload, int qos, int values) {
        if (!up || (qos == 1 && inFlight.get() >= settings.window())) {
            return false;
        }
        if (qos == 1) {
            inFlight.incrementAndGet();
            stats.inFlight.increment();
        }
        try {
            client.publish(topic, payload, qos, false, new long[] {System.nanoTime(), qos == 1 ? values : -1}, delivery);
            return true;
        } catch (MqttException e) {
            if (qos == 1) {
                inFlight.decrementAndGet();
                stats.inFlight.decrement();
            }
            // Most often Paho's own in-flight limit; the caller counts it as not sent.
            LOG.debug("Publish refused [device: {}]: {}", serial, e.toString());
            return false;
        }
    }

    @Override
    public void disconnect() {
        closing = true;
        try {
            if (client.isConnected()) {
                client.disconnect(100).waitForCompletion(3000);
            }
        } catch (MqttException | RuntimeException e) {
            LOG.debug("Disconnect failed [device: {}]: {}", serial, e.toString());
        }
    }

    /** Releases the client's threads. Never throws. */
    void close() {
        closing = true;
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 100, false);
            }
        } catch (MqttException | RuntimeException e) {
            LOG.debug("Forced disconnect failed [device: {}]: {}", serial, e.toString());
        }
        try {
            client.close(true);
        } catch (MqttException | RuntimeException e) {
            LOG.debug("Close failed [device: {}]: {}", serial, e.toString());
        }
    }

    @Override
    public int abandon() {
        int n = inFlight.getAndSet(0);
        stats.inFlight.add(-n);
        return n;
    }
}
