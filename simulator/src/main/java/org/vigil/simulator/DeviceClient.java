package org.vigil.simulator;

import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
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

/**
 * One simulated device on the wire: a Paho {@link MqttAsyncClient} logged in with the device's serial
 * and secret, publishing generated readings to its vitals topic and reporting each outcome to the
 * run's {@link LoadStats}.
 *
 * <p>{@link #publish()} is called only by the pacer thread; Paho calls the delivery listener on the
 * client's callback thread.
 */
final class DeviceClient {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceClient.class);

    /** Paho's default of 10 would cap a device at 10 unacknowledged messages, i.e. measure the client. */
    static final int MAX_INFLIGHT = 1000;
    private static final int KEEP_ALIVE_SECONDS = 60;
    private static final int CONNECT_TIMEOUT_SECONDS = 10;

    private final SimulatedDevice device;
    private final MqttAsyncClient client;
    private final ReadingGenerator generator;
    private final EntryClock clock;
    private final int qos;
    private final int batch;
    private final LoadStats stats;
    private final IMqttActionListener delivery;
    private boolean warnedRefusal;

    /**
     * @param clientId   MQTT client id (the serial when it fits the classic 23-character limit)
     * @param serverUri  e.g. {@code tcp://127.0.0.1:1883}
     * @param pings      shared scheduler for keep-alive pings, instead of a timer thread per client
     */
    DeviceClient(SimulatedDevice device, String clientId, String serverUri, ScheduledExecutorService pings,
            ReadingGenerator generator, int qos, int batch, LoadStats stats) {
        this.device = device;
        this.generator = generator;
        this.clock = new EntryClock(batch);
        this.qos = qos;
        this.batch = batch;
        this.stats = stats;
        try {
            // Memory persistence: the default file persistence would litter the working directory, and
            // a clean session has nothing worth keeping across runs.
            this.client = new MqttAsyncClient(serverUri, clientId, new MemoryPersistence(), new ScheduledExecutorPingSender(pings));
        } catch (MqttException e) {
            throw new SimulatorException("cannot create an MQTT client for " + device.serial() + " (" + serverUri + "): " + e, e);
        }
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                LOG.warn("Connection lost [device: {}]: {}", device.serial(), String.valueOf(cause));
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
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
                stats.acknowledged(System.nanoTime() - (Long) token.getUserContext());
            }

            @Override
            public void onFailure(IMqttToken token, Throwable cause) {
                stats.failedAfterSend();
                LOG.debug("Delivery failed [device: {}]: {}", device.serial(), String.valueOf(cause));
            }
        };
    }

    SimulatedDevice device() {
        return device;
    }

    /** Starts connecting; the token completes when the server accepts or refuses the login. */
    IMqttToken connect() throws MqttException {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName(device.serial());
        options.setPassword(device.secret().toCharArray());
        options.setCleanSession(true);
        options.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
        options.setMaxInflight(MAX_INFLIGHT);
        options.setConnectionTimeout(CONNECT_TIMEOUT_SECONDS);
        // A reconnecting client would hide connection problems from the counts; the run is short anyway.
        options.setAutomaticReconnect(false);
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        return client.connect(options);
    }

    /**
     * Publishes one message of {@code batch} entries ending now. A refusal by the client (too many in
     * flight, not connected) is counted as failed and the run goes on.
     */
    void publish() {
        long end = clock.nextEnd(System.currentTimeMillis());
        List<ReadingGenerator.Entry> entries = generator.batch(end, batch);
        byte[] payload = ReadingGenerator.encode(entries);
        try {
            client.publish(device.topic(), payload, qos, false, System.nanoTime(), delivery);
            stats.sent(ReadingGenerator.valueCount(entries));
        } catch (MqttException e) {
            stats.refused();
            if (e.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT) {
                // Expected when the server falls behind; the counts show it.
                LOG.debug("Publish refused, {} messages in flight [device: {}]", MAX_INFLIGHT, device.serial());
            } else if (!warnedRefusal) {
                warnedRefusal = true;
                LOG.warn("Publish refused [device: {}]: {} (further refusals for this device are logged at debug)",
                        device.serial(), e.toString());
            } else {
                LOG.debug("Publish refused [device: {}]: {}", device.serial(), e.toString());
            }
        }
    }

    /** Starts a polite disconnect, letting in-flight work finish for {@code quiesceMillis}; null if it cannot start. */
    IMqttToken disconnect(long quiesceMillis) {
        if (!client.isConnected()) {
            return null;
        }
        try {
            return client.disconnect(quiesceMillis);
        } catch (MqttException e) {
            LOG.debug("Disconnect refused [device: {}]: {}", device.serial(), e.toString());
            return null;
        }
    }

    /** Drops the connection without waiting (if still up) and releases the client's threads. Never throws. */
    void close() {
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 100, false);
            }
        } catch (MqttException | RuntimeException e) {
            LOG.debug("Forced disconnect failed [device: {}]: {}", device.serial(), e.toString());
        }
        try {
            client.close(true);
        } catch (MqttException | RuntimeException e) {
            LOG.debug("Close failed [device: {}]: {}", device.serial(), e.toString());
        }
    }
}
