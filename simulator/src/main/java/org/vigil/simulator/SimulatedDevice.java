package org.vigil.simulator;

import java.util.Objects;

/**
 * A registered device the simulator can connect as.
 *
 * @param serial  MQTT username and topic level
 * @param secret  MQTT password issued by the registry
 * @param type    what it measures
 */
record SimulatedDevice(String serial, String secret, DeviceType type) {

    public SimulatedDevice {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(type, "type");
    }

    /** The topic this device publishes vitals to. */
    public String topic() {
        return "v1/devices/" + serial + "/vitals";
    }

    @Override
    public String toString() {
        // Never print the secret: it is a credential.
        return "SimulatedDevice[serial=" + serial + ", type=" + type.wireName() + "]";
    }
}
