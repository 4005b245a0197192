package org.vigil.registry.model;

/**
 * What the ingest hot path needs to know about a device: how to check its secret and whose readings
 * it takes.
 *
 * @param id          registry id
 * @param serial      the serial, which is also its MQTT username
 * @param patientId   the patient it is bound to
 * @param secretSalt  salt of the stored secret hash
 * @param secretHash  {@code SHA-256(salt || secret)}
 * @param revoked     whether the device may no longer connect
 */
public record DeviceIdentity(long id, String serial, long patientId, byte[] secretSalt, byte[] secretHash,
        boolean revoked) {

    /** Whether these credentials let the device connect. */
    public boolean accepts(byte[] password) {
        return !revoked && DeviceSecrets.matches(secretSalt, secretHash, password);
    }
}
