package org.vigil.simulator.load;

/**
 * What every device connection of a run shares.
 *
 * @param host                  MQTT host (the only host the load goes to)
 * @param port                  MQTT port
 * @param window                most unacknowledged QoS 1 messages per connection
 * @param keepAliveSeconds      MQTT keep-alive
 * @param ackTimeoutSeconds     after this long without PUBACK a message counts as {@link ErrorKind#ACK_TIMEOUT}
 * @param connectTimeoutMillis  TCP connect timeout
 */
public record LinkSettings(String host, int port, int window, int keepAliveSeconds, int ackTimeoutSeconds, long connectTimeoutMillis) {
}
