package org.vigil.registry.model;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the ingest hot path needs to know about a device: how to check its secret and whose readings it takes
 * at each measurement time.
 *
 * @param id          registry id
 * @param serial      the serial, which is also its MQTT username
 * @param bindings    the patients it was and is bound to, oldest first, periods not overlapping
 * @param secretSalt  salt of the stored secret hash
 * @param secretHash  {@code SHA-256(salt || secret)}
 * @param revoked     whether the device may no longer connect
 */
public record DeviceIdentity(long id, String serial, List<Binding> bindings, byte[] secretSalt, byte[] secretHash,
        boolean revoked) {

    /** What a serial may be: the registry refuses any other, so no device has one. */
    public static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    /**
     * One binding period, {@code [fromMillis, toMillis)}; {@link Long#MIN_VALUE} and {@link Long#MAX_VALUE} stand
     * for open ends.
     */
    public record Binding(long patientId, long fromMillis, long toMillis) {
    }

    public DeviceIdentity {
        Objects.requireNonNull(serial, "serial");
        bindings = List.copyOf(bindings);
    }

    /** Whether these credentials let the device connect. */
    public boolean accepts(byte[] password) {
        return !revoked && DeviceSecrets.matches(secretSalt, secretHash, password);
    }

    /** The patient the device was bound to at that measurement time, or {@code 0} for nobody. */
    public long patientAt(long measuredAtMillis) {
        // Newest first: nearly every reading belongs to the current binding.
        for (int i = bindings.size() - 1; i >= 0; i--) {
            Binding b = bindings.get(i);
            if (measuredAtMillis >= b.fromMillis && measuredAtMillis < b.toMillis) {
                return b.patientId;
            }
        }
        return 0;
    }
}
