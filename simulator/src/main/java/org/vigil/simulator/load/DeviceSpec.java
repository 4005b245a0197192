package org.vigil.simulator.load;

import org.vigil.simulator.population.DeviceType;
import org.vigil.simulator.population.Physiology;

/**
 * One device as the load engine needs it.
 *
 * @param serial      MQTT username and topic level
 * @param secret      MQTT password
 * @param clientId    MQTT client id (at most 23 characters for MQTT 3.1.1 servers)
 * @param type        what it measures
 * @param physiology  the patient it measures
 * @param seed        seeds its noise, schedule and imperfections
 * @param qos         0 or 1
 */
public record DeviceSpec(String serial, String secret, String clientId, DeviceType type, Physiology physiology, long seed, int qos) {
}
