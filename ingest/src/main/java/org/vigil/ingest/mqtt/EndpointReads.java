package org.vigil.ingest.mqtt;

import io.vertx.core.net.NetSocket;
import io.vertx.mqtt.MqttEndpoint;
import java.lang.reflect.Field;

/**
 * Stops and resumes reading a device's connection. Two things need it: holding the packets a client sends right
 * behind its CONNECT (MQTT 3.1.1 §3.1.4 allows them before the CONNACK) until its login is decided, and slowing a
 * device over its rate by TCP back-pressure instead of disconnecting it.
 *
 * <p>Vert.x MQTT 5.0 gives a server no way to pause an endpoint (its client got {@code pause()} in 5.1; vertx-mqtt
 * issue 121 asks for packets before CONNACK), and closes a connection whose PUBLISH arrives before the CONNACK. So
 * the endpoint's socket is read from the implementation class. While the socket is paused, Vert.x keeps the
 * packets already decoded and, past a few, stops reading from the network; {@code resume()} delivers them in
 * order. The field is looked up when the verticle is built, so a library upgrade that moves it fails the start,
 * not a device.
 *
 * <p>Call only from the connection's event loop.
 */
final class EndpointReads {

    private static final String IMPLEMENTATION = "io.vertx.mqtt.impl.MqttEndpointImpl";

    private final Field socket;

    EndpointReads() {
        try {
            Field field = Class.forName(IMPLEMENTATION).getDeclaredField("conn");
            if (!NetSocket.class.isAssignableFrom(field.getType())) {
                throw new IllegalStateException(IMPLEMENTATION + ".conn is no longer a NetSocket");
            }
            field.setAccessible(true);
            this.socket = field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("This Vert.x MQTT version offers no way to pause a connection: " + e, e);
        }
    }

    /** Stops delivering the connection's packets; they wait, in order, for {@link #resume}. */
    void pause(MqttEndpoint endpoint) {
        socket(endpoint).pause();
    }

    void resume(MqttEndpoint endpoint) {
        socket(endpoint).resume();
    }

    private NetSocket socket(MqttEndpoint endpoint) {
        try {
            return (NetSocket) socket.get(endpoint);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
