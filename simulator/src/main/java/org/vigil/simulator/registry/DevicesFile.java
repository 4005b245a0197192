package org.vigil.simulator.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import org.vigil.simulator.InvalidOptionException;
import org.vigil.simulator.SimulatorException;
import org.vigil.simulator.population.DeviceType;

/**
 * Reads and writes the devices file: one device per line, {@code serial,secret,type,patientId,doctorId}
 * (the form the simulator writes), or the shorter {@code serial,secret} and {@code serial,secret,type};
 * blank lines and lines starting with {@code #} are ignored. Without a type, the type comes from the run's
 * seed (which reproduces the provisioned types when the seed is the same); without ids, they are looked up
 * through the API when a token is given.
 */
public final class DevicesFile {

    private static final String OPTION = "--devices-file";
    private static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private DevicesFile() {
    }

    /**
     * The devices listed in {@code file}, in file order.
     *
     * @param typeOf  type for the device at that index when its line has none
     * @throws InvalidOptionException naming {@code --devices-file} for a malformed line
     * @throws SimulatorException if the file cannot be read
     */
    public static List<SimulatedDevice> read(Path file, IntFunction<DeviceType> typeOf) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SimulatorException("cannot read devices file " + file + ": " + e, e);
        }
        List<SimulatedDevice> devices = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split(",", -1);
            String where = file + " line " + (n + 1);
            if (fields.length < 2 || fields.length == 4 || fields.length > 5) {
                throw new InvalidOptionException(OPTION, where + ": expected serial,secret[,type[,patientId,doctorId]]");
            }
            String serial = fields[0].strip();
            String secret = fields[1].strip();
            if (!SERIAL.matcher(serial).matches()) {
                throw new InvalidOptionException(OPTION, where + ": serial may hold only letters, digits and . _ : -");
            }
            if (secret.isEmpty()) {
                throw new InvalidOptionException(OPTION, where + ": empty secret");
            }
            DeviceType type;
            if (fields.length >= 3) {
                type = DeviceType.fromWire(fields[2].strip());
                if (type == null) {
                    throw new InvalidOptionException(OPTION, where + ": unknown device type '" + fields[2].strip() + "'");
                }
            } else {
                type = typeOf.apply(devices.size());
            }
            long patient = 0;
            long doctor = 0;
            if (fields.length == 5) {
                try {
                    patient = Long.parseLong(fields[3].strip());
                    doctor = Long.parseLong(fields[4].strip());
                } catch (NumberFormatException e) {
                    throw new InvalidOptionException(OPTION, where + ": patientId and doctorId must be whole numbers");
                }
            }
            devices.add(new SimulatedDevice(serial, secret, type, patient, doctor));
        }
        return devices;
    }

    /**
     * Writes the devices as {@code serial,secret,type,patientId,doctorId} lines. The secrets are MQTT credentials, so the file
     * is created readable by its owner only (where the file system has POSIX permissions) and appears
     * complete or not at all.
     */
    public static void write(Path file, List<SimulatedDevice> devices) {
        StringBuilder text = new StringBuilder("# serial,secret,type,patientId,doctorId (secrets are MQTT credentials)\n");
        for (SimulatedDevice d : devices) {
            text.append(d.serial()).append(',').append(d.secret()).append(',').append(d.type().wireName())
                    .append(',').append(d.patientId()).append(',').append(d.doctorId()).append('\n');
        }
        Path target = file.toAbsolutePath();
        Path temp = null;
        try {
            Files.createDirectories(target.getParent());
            temp = Files.createTempFile(target.getParent(), ".devices-", ".tmp");
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: keep its default permissions.
            }
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new SimulatorException("cannot write devices file " + file + ": " + e, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort: the temp file is hidden and harmless
                }
            }
        }
    }
}
