package org.vigil.simulator.registry;

import java.util.Objects;
import org.vigil.simulator.population.DeviceType;
import org.vigil.simulator.population.Payloads;

/**
 * A registered device the simulator can connect as.
 *
 * @param serial     MQTT username and topic level
 * @param secret     MQTT password issued by the registry
 * @param type       what it measures
 * @param patientId  the registry id of its patient; 0 when not known
 * @param doctorId   the registry id of that patient's doctor; 0 when not known
 */
public record SimulatedDevice(String serial, String secret, DeviceType type, long patientId, long doctorId) {

    public SimulatedDevice {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(type, "type");
    }

    /** A device whose patient and doctor are not known. */
    public SimulatedDevice(String serial, String secret, DeviceType type) {
        this(serial, secret, type, 0, 0);
    }

    /** The topic this device publishes vitals to. */
    public String topic() {
        return Payloads.topic(serial);
    }

    /** The same device with its patient and doctor. */
    public SimulatedDevice withIds(long patient, long doctor) {
        return new SimulatedDevice(serial, secret, type, patient, doctor);
    }

    @Override
    public String toString() {
        // Never print the secret: it is a credential.
        return "SimulatedDevice[serial=" + serial + ", type=" + type.wireName() + ", patient=" + patientId + "]";
    }
}
