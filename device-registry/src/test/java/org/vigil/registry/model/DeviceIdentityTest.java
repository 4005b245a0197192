package org.vigil.registry.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceIdentityTest {

    private static final byte[] NONE = new byte[0];

    @Test
    void aReadingBelongsToThePatientTheDeviceWasBoundToWhenItWasMeasured() {
        DeviceIdentity device = new DeviceIdentity(1, "S", List.of(
                new DeviceIdentity.Binding(10, Long.MIN_VALUE, 1_000),
                new DeviceIdentity.Binding(20, 1_000, Long.MAX_VALUE)), NONE, NONE, false);

        assertThat(device.patientAt(-5_000)).as("buffered before registration: the first patient").isEqualTo(10);
        assertThat(device.patientAt(999)).isEqualTo(10);
        assertThat(device.patientAt(1_000)).as("the new binding starts inclusive").isEqualTo(20);
        assertThat(device.patientAt(Long.MAX_VALUE - 1)).isEqualTo(20);
    }

    @Test
    void betweenAndAfterBindingsTheDeviceBelongsToNobody() {
        DeviceIdentity device = new DeviceIdentity(1, "S", List.of(
                new DeviceIdentity.Binding(10, Long.MIN_VALUE, 1_000),
                new DeviceIdentity.Binding(20, 2_000, 3_000)), NONE, NONE, false);

        assertThat(device.patientAt(1_500)).isZero();
        assertThat(device.patientAt(3_000)).as("the end is exclusive").isZero();
        assertThat(new DeviceIdentity(2, "T", List.of(), NONE, NONE, false).patientAt(0)).isZero();
    }
}
