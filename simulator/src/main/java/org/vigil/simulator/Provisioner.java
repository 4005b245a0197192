package org.vigil.simulator;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a {@link Population} through the Vigil REST API: its doctors, then for each patient the
 * patient and their device. Returns the devices with the secrets the registry issued (the only time
 * the API ever returns them).
 */
final class Provisioner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Provisioner.class);
    /** Enough parallel requests to provision 2000 devices in seconds without crowding the server. */
    private static final int PARALLEL_REQUESTS = 8;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    private final String base;
    private final String token;
    private final HttpClient http;

    /**
     * @param api    API base URL, e.g. {@code http://127.0.0.1:8080}
     * @param token  admin bearer token
     */
    Provisioner(URI api, String token) {
        String url = api.toString();
        this.base = (url.endsWith("/") ? url.substring(0, url.length() - 1) : url) + "/api/v1";
        this.token = Objects.requireNonNull(token, "token");
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /**
     * Creates the population's doctors, patients and devices.
     *
     * @param serialOf  the serial for the device at that index
     * @return one device per patient, in patient order
     * @throws SimulatorException naming the request that failed and why
     */
    List<SimulatedDevice> provision(Population population, IntFunction<String> serialOf) throws InterruptedException {
        List<Long> doctorIds = new ArrayList<>();
        for (Population.Doctor d : population.doctors()) {
            JsonObject created = post("doctors", new JsonObject()
                    .put("name", d.name())
                    .put("institution", d.institution())
                    .put("tier", "village"));
            doctorIds.add(created.getLong("id"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_REQUESTS, Threads.daemon("sim-provision"));
        try {
            List<Future<SimulatedDevice>> pending = new ArrayList<>();
            List<Population.Patient> patients = population.patients();
            for (int i = 0; i < patients.size(); i++) {
                Population.Patient p = patients.get(i);
                String serial = serialOf.apply(i);
                long doctorId = doctorIds.get(p.doctor());
                pending.add(pool.submit(() -> provisionPatient(p, doctorId, serial)));
            }
            List<SimulatedDevice> devices = new ArrayList<>(pending.size());
            for (Future<SimulatedDevice> f : pending) {
                devices.add(f.get());
            }
            return devices;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SimulatorException se) {
                throw se;
            }
            throw new SimulatorException("provisioning failed: " + e.getCause(), e.getCause());
        } finally {
            // On failure the remaining requests are pointless; on success this is a no-op.
            pool.shutdownNow();
        }
    }

    /** Releases the HTTP client's connections and threads. */
    @Override
    public void close() {
        http.close();
    }

    private SimulatedDevice provisionPatient(Population.Patient p, long doctorId, String serial) throws InterruptedException {
        JsonArray conditions = new JsonArray();
        p.conditions().forEach(c -> conditions.add(c.wireName()));
        JsonObject patient = post("patients", new JsonObject()
                .put("name", p.name())
                .put("doctorId", doctorId)
                .put("conditions", conditions));
        JsonObject device = post("devices", new JsonObject()
                .put("serial", serial)
                .put("type", p.device().wireName())
                .put("patientId", patient.getLong("id")));
        String secret = device.getString("secret");
        if (secret == null || secret.isEmpty()) {
            throw new SimulatorException("POST " + base + "/devices returned no secret for " + serial);
        }
        LOG.debug("Provisioned device [serial: {}, type: {}, patient: {}]", serial, p.device().wireName(), patient.getLong("id"));
        return new SimulatedDevice(serial, secret, p.device());
    }

    /** POSTs JSON and returns the created resource; anything but 201 is an error naming the request. */
    private JsonObject post(String collection, JsonObject body) throws InterruptedException {
        String url = base + "/" + collection;
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new SimulatorException("cannot reach the Vigil API at " + url + " (check --api): connection refused", e);
        } catch (HttpTimeoutException e) {
            throw new SimulatorException("POST " + url + " timed out after " + REQUEST_TIMEOUT.toSeconds() + " s", e);
        } catch (IOException e) {
            throw new SimulatorException("POST " + url + " failed: " + e, e);
        }
        if (response.statusCode() != 201) {
            String hint = response.statusCode() == 401 || response.statusCode() == 403 ? " (check --token)" : "";
            throw new SimulatorException("POST " + url + " answered " + response.statusCode() + hint + ": " + response.body());
        }
        try {
            return new JsonObject(response.body());
        } catch (DecodeException e) {
            throw new SimulatorException("POST " + url + " answered 201 with a body that is not JSON: " + response.body(), e);
        }
    }
}
