package org.vigil.simulator.registry;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.vigil.simulator.InvalidOptionException;
import org.vigil.simulator.population.Population;

/**
 * Where a run's devices come from. Without a token, from the devices file alone (it must list enough of
 * them). With a token, through the {@link Provisioner}: with a devices file the serials are stable, so
 * provisioning is idempotent and resumable, and the file is rewritten as devices come into being, partial
 * work included; without one, a run id in the serials keeps this run's devices apart from any earlier run's.
 *
 * @param file    the devices file ({@code --devices-file}), which need not exist yet
 * @param token   admin token; empty to reuse the file's devices only
 * @param api     the Vigil REST API
 * @param prefix  serial prefix ({@code --prefix})
 * @param runId   tells this run's serials apart when there is no devices file
 * @param phases  told what was reused or provisioned
 */
public record DeviceSource(Optional<Path> file, Optional<String> token, URI api, String prefix, String runId,
        Consumer<String> phases) {

    /** Without the admin token, which is a secret. */
    @Override
    public String toString() {
        return "DeviceSource[file=" + file + ", api=" + api + ", prefix=" + prefix + ", runId=" + runId + "]";
    }

    /**
     * One registered device per device of the population, in fleet order.
     *
     * @throws InvalidOptionException if the devices file cannot serve without a token
     */
    public List<SimulatedDevice> obtain(Population population) throws InterruptedException {
        int count = population.devices().size();
        Path path = file.orElse(null);
        List<SimulatedDevice> known = path != null && Files.exists(path) ? DevicesFile.read(path, population::deviceType) : List.of();
        if (token.isEmpty()) {
            if (path == null || !Files.exists(path)) {
                throw new InvalidOptionException("--token", "required to provision devices, since "
                        + (path == null ? "no devices file" : path) + " does not exist yet");
            }
            if (known.size() < count) {
                throw new InvalidOptionException("--devices", "asks for " + count + " devices but " + path
                        + " lists only " + known.size() + " (lower --devices, or pass --token to provision the rest)");
            }
            phases.accept("Reusing " + count + (count == 1 ? " device" : " devices") + " from " + path);
            return List.copyOf(known.subList(0, count));
        }
        long start = System.nanoTime();
        IntFunction<String> serialOf = path != null
                ? i -> String.format(Locale.ROOT, "%s-%05d", prefix, i)
                : i -> String.format(Locale.ROOT, "%s-%s-%05d", prefix, runId, i);
        Provisioner.Result result;
        try (RegistryClient client = new RegistryClient(api, token.get())) {
            result = new Provisioner(client).provision(population, serialOf, known, path != null, partial -> {
                if (path != null && !partial.isEmpty()) {
                    DevicesFile.write(path, merge(known, partial));
                }
            });
        }
        if (path != null) {
            DevicesFile.write(path, merge(known, result.devices()));
        }
        int doctors = (int) result.devices().stream().mapToLong(SimulatedDevice::doctorId).distinct().count();
        phases.accept(String.format(Locale.ROOT, "Provisioned %d devices (%d created, %d reused; %d patients, %d doctors) via %s in %.1f s%s",
                result.devices().size(), result.created(), result.reused(), population.patients().size(), doctors, api,
                (System.nanoTime() - start) / 1e9, path == null ? "" : "; devices file " + path));
        return result.devices();
    }

    /** The file's devices updated with the provisioned ones, by serial, keeping devices beyond this run's count. */
    private static List<SimulatedDevice> merge(List<SimulatedDevice> known, List<SimulatedDevice> current) {
        Map<String, SimulatedDevice> all = new LinkedHashMap<>();
        current.forEach(d -> all.put(d.serial(), d));
        known.forEach(d -> all.putIfAbsent(d.serial(), d));
        return new ArrayList<>(all.values());
    }
}
