package org.vigil.server;

import java.util.concurrent.CompletableFuture;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** Futures for how a Paho client's connection ended, so tests can wait on the server closing it. */
final class ConnectionEvents {

    private ConnectionEvents() {
    }

    /** Completes with the cause when an MQTT 3.1.1 client loses its connection. */
    static CompletableFuture<Throwable> lost(org.eclipse.paho.client.mqttv3.MqttClient client) {
        CompletableFuture<Throwable> lost = new CompletableFuture<>();
        client.setCallback(lostCallback(lost));
        return lost;
    }

    /** Completes with the cause when an asynchronous MQTT 3.1.1 client loses its connection. */
    static CompletableFuture<Throwable> lost(org.eclipse.paho.client.mqttv3.MqttAsyncClient client) {
        CompletableFuture<Throwable> lost = new CompletableFuture<>();
        client.setCallback(lostCallback(lost));
        return lost;
    }

    /** Completes with the reason code of the server's DISCONNECT to an MQTT 5 client. */
    static CompletableFuture<Integer> disconnected(MqttAsyncClient client) {
        CompletableFuture<Integer> reason = new CompletableFuture<>();
        client.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                reason.complete(response.getReturnCode());
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage message) {
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverUri) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        return reason;
    }

    private static MqttCallback lostCallback(CompletableFuture<Throwable> lost) {
        return new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.complete(cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        };
    }
}
