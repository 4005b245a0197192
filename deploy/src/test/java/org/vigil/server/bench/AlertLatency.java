package org.vigil.server.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.vigil.common.config.Settings;
import org.vigil.common.testing.Poll;
import org.vigil.server.VigilServer;
import org.vigil.simulator.SimulationReport;
import org.vigil.simulator.Simulator;
import org.vigil.simulator.SimulatorConfig;
import org.vigil.simulator.registry.RegistryClient;

/**
 * Publish-to-alert latency under load: while the simulator drives background traffic, hypertensive-crisis readings
 * are published for patients of one doctor, one each at a steady pace, and the time from just before each
 * publish to its {@code alert.opened} event on the doctor's live feed is recorded. Everything on 127.0.0.1,
 * bounded by its duration; not a test: run it as docs/performance.md shows.
 *
 * <p>Arguments: {@code devices rate seconds crises} (background devices and messages/s; crisis patients).
 */
public final class AlertLatency {

    private AlertLatency() {
    }

    private record Cuff(long patientId, String serial, String secret) {
    }

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 20000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int crises = args.length > 3 ? Integer.parseInt(args[3]) : 300;
        Map<String, String> env = BenchSettings.of(Map.of());
        try (VigilServer server = VigilServer.start(Settings.of(env), Clock.systemUTC());
             RegistryClient api = new RegistryClient(URI.create("http://127.0.0.1:" + server.httpPort()), server.adminToken())) {
            long county = api.create("organisations", new JsonObject().put("name", "Bench county").put("tier", "county")).getLong("id");
            long township = api.create("organisations", new JsonObject().put("name", "Bench township").put("tier", "township")
                    .put("parentId", county)).getLong("id");
            long village = api.create("organisations", new JsonObject().put("name", "Bench village").put("tier", "village")
                    .put("parentId", township)).getLong("id");
            long doctor = api.create("doctors", new JsonObject().put("name", "Dr Bench").put("organisationId", village)).getLong("id");
            long team = api.create("teams", new JsonObject().put("name", "Bench team").put("organisationId", village)
                    .put("doctorIds", new JsonArray().add(doctor))).getLong("id");
            List<Cuff> cuffs = new ArrayList<>();
            for (int i = 0; i < crises; i++) {
                long patient = api.create("patients", new JsonObject().put("name", "Crisis " + i).put("doctorId", doctor)
                        .put("teamId", team).put("conditions", new JsonArray().add("hypertension"))).getLong("id");
                JsonObject device = api.create("devices", new JsonObject().put("serial", "CRISIS-" + i)
                        .put("type", "bp_monitor").put("patientId", patient));
                cuffs.add(new Cuff(patient, device.getString("serial"), device.getString("secret")));
            }

            Map<Long, Long> published = new ConcurrentHashMap<>();
            Histogram latency = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
            CountDownLatch all = new CountDownLatch(crises);
            CountDownLatch live = new CountDownLatch(1);
            HttpClient http = HttpClient.newHttpClient();
            http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/doctors/"
                            + doctor + "/alerts/stream")).header("Authorization", "Bearer " + server.adminToken()).build(),
                    HttpResponse.BodyHandlers.ofLines()).thenAcceptAsync(response -> {
                        String[] event = {null};
                        response.body().forEach(line -> {
                            long now = System.nanoTime();
                            if (line.startsWith(":")) {
                                live.countDown();
                            } else if (line.startsWith("event: ")) {
                                event[0] = line.substring(7);
                            } else if (line.startsWith("data: ") && "alert.opened".equals(event[0])) {
                                Long sent = published.remove(new JsonObject(line.substring(6)).getLong("patientId"));
                                if (sent != null) {
                                    synchronized (latency) {
                                        latency.recordValue(now - sent);
                                    }
                                    all.countDown();
                                }
                            }
                        });
                    }, Executors.newSingleThreadExecutor(r -> {
                        // Its own thread: with plain thenAccept an already-arrived response is read on this one.
                        Thread t = new Thread(r, "bench-feed-reader");
                        t.setDaemon(true);
                        return t;
                    }));
            if (!live.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the live feed did not open");
            }

            SimulatorConfig config = SimulatorConfig.parse(
                    "--client", "vertx", "--loops", "1", "--window", "64",
                    "--mqtt-host", "127.0.0.1", "--mqtt-port", String.valueOf(server.mqttPort()),
                    "--api", "http://127.0.0.1:" + server.httpPort(), "--token", server.adminToken(),
                    "--devices", String.valueOf(devices), "--rate", String.valueOf(rate),
                    "--duration", seconds + "s", "--qos", "1", "--seed", "1");
            SimulationReport[] background = new SimulationReport[1];
            Thread load = new Thread(() -> {
                try {
                    background[0] = Simulator.run(config);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "bench-background");
            load.start();
            // Inject once the background load runs: after provisioning, in the middle of the run.
            awaitStored(http, server.httpPort());
            long pause = TimeUnit.SECONDS.toNanos(Math.max(1, seconds - 10)) / crises;
            long next = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            for (Cuff cuff : cuffs) {
                while (System.nanoTime() < next) {
                    Thread.onSpinWait();
                }
                next += pause;
                MqttClient client = new MqttClient("tcp://127.0.0.1:" + server.mqttPort(), cuff.serial(), new MemoryPersistence());
                MqttConnectOptions options = new MqttConnectOptions();
                options.setUserName(cuff.serial());
                options.setPassword(cuff.secret().toCharArray());
                client.connect(options);
                MqttMessage message = new MqttMessage(("{\"ts\": " + System.currentTimeMillis()
                        + ", \"values\": {\"systolic_bp\": 192, \"diastolic_bp\": 118}}").getBytes(StandardCharsets.UTF_8));
                message.setQos(1);
                published.put(cuff.patientId(), System.nanoTime());
                client.publish("v1/devices/" + cuff.serial() + "/vitals", message);
                client.disconnect();
                client.close();
            }
            boolean complete = all.await(15, TimeUnit.SECONDS);
            load.join();
            SimulationReport report = background[0];
            System.out.printf("%nALERTS crises=%d received=%d%s; background %d devices, %d msg/s offered, %d acknowledged,"
                            + " PUBACK p50 %.1f ms p99 %.1f ms%n", crises, crises - all.getCount(), complete ? "" : " (some missing)",
                    devices, rate, report.acknowledged(), report.p50LatencyMs(), report.p99LatencyMs());
            synchronized (latency) {
                System.out.printf("  publish -> alert.opened on the feed: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                        latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(90) / 1e6,
                        latency.getValueAtPercentile(99) / 1e6, latency.getMaxValue() / 1e6);
            }
        }
    }

    /** Waits until the server has stored its first background readings, so crises land under load. */
    private static void awaitStored(HttpClient http, int port) throws Exception {
        Poll.until("the background load starts", Duration.ofMinutes(2), () -> {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return body.lines().anyMatch(l -> l.startsWith("vigil_ingest_readings_stored_total ")
                    && Double.parseDouble(l.substring(l.indexOf(' ') + 1)) > 0);
        });
    }
}
