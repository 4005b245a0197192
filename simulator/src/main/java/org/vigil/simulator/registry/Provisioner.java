package org.vigil.simulator.registry;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vigil.simulator.SimulatorException;
import org.vigil.simulator.load.Threads;
import org.vigil.simulator.population.Population;

/**
 * Registers a {@link Population} through the Vigil REST API, idempotently: devices already known (from the
 * devices file, with their secrets) are kept when the server still lists them, and only what is missing is
 * created: a doctor or patient is reused when any known device already points to it. Run twice with the
 * same devices file, it creates nothing the second time; interrupted half-way, it resumes.
 *
 * <p>A device the server lists but the file does not know cannot be reused (the API shows a secret only
 * once), so it is an error that says so rather than a silent duplicate.
 */
public final class Provisioner {

    private static final Logger LOG = LoggerFactory.getLogger(Provisioner.class);
    /** Enough parallel requests to provision thousands of devices in seconds without crowding the server. */
    private static final int PARALLEL_REQUESTS = 8;

    /**
     * The outcome.
     *
     * @param devices  one per population device, in fleet order, with patient and doctor ids
     * @param created  devices created by this call
     * @param reused   devices kept from the devices file
     */
    public record Result(List<SimulatedDevice> devices, int created, int reused) {
    }

    /** The simulated county's hospital and township health centre, parents of every simulated village clinic. */
    static final String COUNTY = "模拟县人民医院";
    static final String TOWNSHIP = "模拟镇卫生院";

    private final RegistryClient api;
    private final Map<Long, Long> teams = new ConcurrentHashMap<>();

    public Provisioner(RegistryClient api) {
        this.api = api;
    }

    /**
     * Makes sure every device of the population exists.
     *
     * @param serialOf  the serial of the device at that fleet index
     * @param known     devices from the devices file (any order; matched by serial)
     * @param verify    whether to check against the server's device list even without known devices
     * @param progress  receives each device as soon as it exists, so a caller can save partial work
     * @throws SimulatorException naming the request that failed and why
     */
    public Result provision(Population population, IntFunction<String> serialOf, List<SimulatedDevice> known,
            boolean verify, java.util.function.Consumer<List<SimulatedDevice>> progress) throws InterruptedException {
        Map<String, SimulatedDevice> bySerial = new HashMap<>();
        known.forEach(d -> bySerial.put(d.serial(), d));
        Map<String, JsonObject> onServer = new HashMap<>();
        // Fresh serials (a new run id) cannot exist yet: listing the whole registry would only cost time.
        if (verify || !known.isEmpty()) {
            for (JsonObject d : api.list("devices", Map.of())) {
                onServer.put(d.getString("serial"), d);
            }
        }
        int n = population.devices().size();
        SimulatedDevice[] result = new SimulatedDevice[n];
        Map<Integer, Long> patientIds = new ConcurrentHashMap<>();
        Map<Integer, Long> doctorIds = new ConcurrentHashMap<>();
        List<Integer> missing = new ArrayList<>();
        List<String> orphans = new ArrayList<>();
        Map<Long, Long> doctorOfPatient = null;
        for (int i = 0; i < n; i++) {
            String serial = serialOf.apply(i);
            SimulatedDevice k = bySerial.get(serial);
            JsonObject server = onServer.get(serial);
            if (k != null && server != null) {
                long patient = server.getLong("patientId", k.patientId());
                long doctor = k.doctorId();
                if (doctor == 0 || patient != k.patientId()) {
                    if (doctorOfPatient == null) {
                        doctorOfPatient = api.list("patients", Map.of()).stream()
                                .collect(Collectors.toMap(p -> p.getLong("id"), p -> p.getLong("doctorId"), (a, b) -> a));
                    }
                    doctor = doctorOfPatient.getOrDefault(patient, 0L);
                }
                result[i] = k.withIds(patient, doctor);
                patientIds.putIfAbsent(population.devices().get(i).patient(), patient);
                doctorIds.putIfAbsent(population.patientOf(i).doctor(), doctor);
            } else if (server != null) {
                orphans.add(serial);
            } else {
                missing.add(i);
            }
        }
        if (!orphans.isEmpty()) {
            throw new SimulatorException(orphans.size() + " device(s) such as " + orphans.get(0) + " are registered but"
                    + " not in the devices file, so their secrets are unknown: pass the devices file that provisioned them,"
                    + " or a different --prefix");
        }
        int reused = n - missing.size();
        if (missing.isEmpty()) {
            return new Result(List.of(result), 0, reused);
        }
        createDoctors(population, missing, doctorIds);
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_REQUESTS, Threads.daemon("sim-provision"));
        Set<Integer> done = ConcurrentHashMap.newKeySet();
        try {
            // Patients first (one request each, in parallel), then their devices: a patient with two devices
            // must exist once, whichever device gets there first.
            Map<Integer, Future<Long>> patientFutures = new HashMap<>();
            for (int i : missing) {
                int p = population.devices().get(i).patient();
                if (!patientIds.containsKey(p) && !patientFutures.containsKey(p)) {
                    Population.Patient patient = population.patients().get(p);
                    long doctor = doctorIds.get(patient.doctor());
                    patientFutures.put(p, pool.submit(() -> createPatient(patient, doctor)));
                }
            }
            for (Map.Entry<Integer, Future<Long>> e : patientFutures.entrySet()) {
                patientIds.put(e.getKey(), e.getValue().get());
            }
            List<Future<?>> deviceFutures = new ArrayList<>();
            for (int i : missing) {
                int index = i;
                int p = population.devices().get(i).patient();
                long patientId = patientIds.get(p);
                long doctorId = doctorIds.get(population.patients().get(p).doctor());
                deviceFutures.add(pool.submit(() -> {
                    result[index] = createDevice(serialOf.apply(index), population.devices().get(index), patientId, doctorId);
                    done.add(index);
                    return null;
                }));
            }
            for (Future<?> f : deviceFutures) {
                f.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SimulatorException se) {
                throw se;
            }
            throw new SimulatorException("provisioning failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
            // Whatever exists now is worth keeping, even after a failure: the next run resumes from it.
            List<SimulatedDevice> existing = new ArrayList<>();
            for (SimulatedDevice d : result) {
                if (d != null) {
                    existing.add(d);
                }
            }
            progress.accept(existing);
        }
        return new Result(List.of(result), missing.size(), reused);
    }

    /**
     * Creates the doctors the missing devices need, each in a village clinic of the simulated county (clinics and
     * the county's tree are reused by name, so a second run adds no organisations) and with a team of her own.
     */
    private void createDoctors(Population population, List<Integer> missing, Map<Integer, Long> doctorIds)
            throws InterruptedException {
        Map<String, Long> organisations = new HashMap<>();
        for (JsonObject o : api.list("organisations", Map.of())) {
            organisations.putIfAbsent(o.getString("tier") + "/" + o.getString("name"), o.getLong("id"));
        }
        for (int i : missing) {
            int d = population.patientOf(i).doctor();
            if (!doctorIds.containsKey(d)) {
                Population.Doctor doctor = population.doctors().get(d);
                long county = organisation(organisations, "county", COUNTY, null);
                long township = organisation(organisations, "township", TOWNSHIP, county);
                long village = organisation(organisations, "village", doctor.institution(), township);
                long id = api.create("doctors", new JsonObject()
                        .put("name", doctor.name())
                        .put("organisationId", village)).getLong("id");
                long team = api.create("teams", new JsonObject()
                        .put("name", doctor.name() + "家庭医生团队")
                        .put("organisationId", village)
                        .put("doctorIds", new JsonArray().add(id))).getLong("id");
                doctorIds.put(d, id);
                teams.put(id, team);
            }
        }
    }

    private long organisation(Map<String, Long> known, String tier, String name, Long parentId)
            throws InterruptedException {
        Long id = known.get(tier + "/" + name);
        if (id == null) {
            JsonObject body = new JsonObject().put("name", name).put("tier", tier);
            if (parentId != null) {
                body.put("parentId", parentId);
            }
            id = api.create("organisations", body).getLong("id");
            known.put(tier + "/" + name, id);
        }
        return id;
    }

    /** The team a doctor's patients are contracted to: hers, created above or found on the server. */
    private long teamOf(long doctorId) throws InterruptedException {
        Long team = teams.get(doctorId);
        if (team == null) {
            List<JsonObject> found = api.list("teams", Map.of("doctorId", Long.toString(doctorId)));
            if (found.isEmpty()) {
                throw new SimulatorException("doctor " + doctorId + " belongs to no team, so no patient can be contracted to her");
            }
            team = found.get(0).getLong("id");
            teams.put(doctorId, team);
        }
        return team;
    }

    private long createPatient(Population.Patient p, long doctorId) throws InterruptedException {
        JsonArray conditions = new JsonArray();
        p.conditions().forEach(c -> conditions.add(c.wireName()));
        return api.create("patients", new JsonObject()
                .put("name", p.name())
                .put("doctorId", doctorId)
                .put("teamId", teamOf(doctorId))
                .put("conditions", conditions)).getLong("id");
    }

    private SimulatedDevice createDevice(String serial, Population.Device d, long patientId, long doctorId)
            throws InterruptedException {
        JsonObject device = api.create("devices", new JsonObject()
                .put("serial", serial)
                .put("type", d.type().wireName())
                .put("patientId", patientId));
        String secret = device.getString("secret");
        if (secret == null || secret.isEmpty()) {
            throw new SimulatorException("POST " + api.base() + "/devices returned no secret for " + serial);
        }
        LOG.debug("Provisioned device [serial: {}, type: {}, patient: {}]", serial, d.type().wireName(), patientId);
        return new SimulatedDevice(serial, secret, d.type(), patientId, doctorId);
    }
}
