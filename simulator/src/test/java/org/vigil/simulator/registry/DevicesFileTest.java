package org.vigil.simulator.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.simulator.InvalidOptionException;
import org.vigil.simulator.population.DeviceType;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class DevicesFileTest {

    @TempDir
    Path dir;

    @Test
    void writesAndReadsBackDevicesOwnerReadableOnly() throws IOException {
        List<SimulatedDevice> devices = List.of(
                new SimulatedDevice("sim-abc-0000", "s3cret", DeviceType.BP_MONITOR, 11, 2),
                new SimulatedDevice("sim-abc-0001", "other", DeviceType.SCALE, 12, 2));
        Path file = dir.resolve("sub/devices.csv");
        DevicesFile.write(file, devices);
        assertThat(Files.readAllLines(file)).endsWith("sim-abc-0000,s3cret,bp_monitor,11,2", "sim-abc-0001,other,scale,12,2");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(DevicesFile.read(file, i -> DeviceType.WEARABLE)).isEqualTo(devices);
    }

    @Test
    void readsTwoColumnLinesTakingTheTypeFromTheFallback() throws IOException {
        Path file = dir.resolve("devices.csv");
        Files.writeString(file, "# reused devices\n\na-1, x \nb-2,y,glucometer\nc-3,z\n");
        assertThat(DevicesFile.read(file, i -> i == 0 ? DeviceType.THERMOMETER : DeviceType.SCALE)).containsExactly(
                new SimulatedDevice("a-1", "x", DeviceType.THERMOMETER),
                new SimulatedDevice("b-2", "y", DeviceType.GLUCOMETER),
                new SimulatedDevice("c-3", "z", DeviceType.SCALE));
    }

    @Test
    void malformedLinesNameTheOptionAndLine() throws IOException {
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, "ok-1,x\nonly-serial\n");
        assertThatThrownBy(() -> DevicesFile.read(file, i -> DeviceType.SCALE))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageStartingWith("--devices-file:")
                .hasMessageContaining("line 2");
        Files.writeString(file, "bad/serial,x\n");
        assertThatThrownBy(() -> DevicesFile.read(file, i -> DeviceType.SCALE)).hasMessageContaining("serial");
        Files.writeString(file, "s,x,toaster\n");
        assertThatThrownBy(() -> DevicesFile.read(file, i -> DeviceType.SCALE)).hasMessageContaining("toaster");
    }

    @Test
    void secretsStayOutOfToString() {
        assertThat(new SimulatedDevice("s-1", "topsecret", DeviceType.SCALE).toString()).doesNotContain("topsecret");
    }
}
