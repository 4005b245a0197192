package org.vigil.server.bench;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.vigil.common.testing.Poll;
import org.vigil.simulator.SimulationReport;
import org.vigil.simulator.Simulator;
import org.vigil.simulator.SimulatorConfig;

/**
 * Server heap per idle-ish device connection: the server runs in its own JVM (as deployed), the simulator
 * holds {@code devices} connections publishing slowly, and the server's heap after a full GC is compared
 * with its heap before the devices connected. Loopback only; bounded; stops by itself.
 *
 * <p>Arguments: {@code devices seconds [client-processes]}. Each process may hold only 20,000 open files
 * here, sockets included, so beyond about 19,000 connections the simulator is split over several JVMs of its
 * own (distinct serial prefixes); the server's own count of open files is reported beside its connections.
 */
public final class ConnectionFootprint {

    private ConnectionFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int processes = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int httpPort = freePort();
        int mqttPort = freePort();
        Path data = Files.createTempDirectory("vigil-footprint");
        BenchSettings.deleteOnExit(data);
        String javaBinary = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(javaBinary, "-Xmx2g", "-cp", System.getProperty("java.class.path"),
                "org.vigil.server.Main").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("server.log").toFile()));
        builder.environment().putAll(java.util.Map.of("VIGIL_DATA_DIR", data.toString(),
                "VIGIL_HTTP_HOST", "127.0.0.1", "VIGIL_HTTP_PORT", String.valueOf(httpPort),
                "VIGIL_MQTT_HOST", "127.0.0.1", "VIGIL_MQTT_PORT", String.valueOf(mqttPort),
                "VIGIL_LOG_LEVEL", "WARN"));
        Process server = builder.start();
        List<Process> clients = new ArrayList<>();
        try {
            HttpClient http = HttpClient.newHttpClient();
            waitHealthy(http, httpPort);
            String token = Files.readString(data.resolve("admin-token")).trim();
            double baseline = heapAfterGc(http, httpPort, server.pid());
            long baselineFiles = openFiles(server.pid());

            double[] loaded = {0, 0, 0};
            Thread probe = Thread.ofPlatform().start(() -> {
                try {
                    Poll.upTo(Duration.ofSeconds(seconds + 120L),
                            () -> metric(http, httpPort, "vigil_mqtt_connections") >= devices);
                    Thread.sleep(3000);
                    loaded[1] = metric(http, httpPort, "vigil_mqtt_connections");
                    loaded[0] = heapAfterGc(http, httpPort, server.pid());
                    loaded[2] = openFiles(server.pid());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String acknowledged;
            if (processes <= 1) {
                SimulationReport report = Simulator.run(SimulatorConfig.parse(simulatorArgs(mqttPort, httpPort, token,
                        devices, seconds, "sim").toArray(String[]::new)));
                acknowledged = report.acknowledged() + " of " + report.sent();
            } else {
                for (int i = 0; i < processes; i++) {
                    int share = devices / processes + (i < devices % processes ? 1 : 0);
                    List<String> command = new ArrayList<>(List.of(javaBinary, "-Xmx1g", "-cp",
                            System.getProperty("java.class.path"), "org.vigil.simulator.Simulator"));
                    command.addAll(simulatorArgs(mqttPort, httpPort, token, share, seconds, "fp" + i));
                    clients.add(new ProcessBuilder(command).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("client-" + i + ".log").toFile()))
                            .start());
                }
                StringBuilder exits = new StringBuilder();
                for (Process c : clients) {
                    exits.append(c.waitFor()).append(' ');
                }
                acknowledged = "client exit codes " + exits.toString().trim() + "; reports in client-*.log, deleted at exit";
            }
            probe.join();
            System.out.printf("%nFOOTPRINT connections=%.0f heap before %.1f MiB, with connections %.1f MiB:"
                    + " %.1f kB per connection; server open files %d before, %.0f with connections (%s)%n", loaded[1],
                    baseline / 1048576, loaded[0] / 1048576, (loaded[0] - baseline) / loaded[1] / 1024, baselineFiles,
                    loaded[2], acknowledged);
        } finally {
            clients.forEach(Process::destroy);
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> simulatorArgs(int mqttPort, int httpPort, String token, int devices, int seconds,
            String prefix) {
        return List.of("--client", "vertx", "--loops", "1",
                "--mqtt-host", "127.0.0.1", "--mqtt-port", String.valueOf(mqttPort),
                "--api", "http://127.0.0.1:" + httpPort, "--token", token, "--prefix", prefix,
                "--devices", String.valueOf(devices), "--rate", "200", "--duration", seconds + "s");
    }

    /** File descriptors the process holds: sockets, jars, pipes. */
    private static long openFiles(long pid) throws java.io.IOException {
        try (var files = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return files.count();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void waitHealthy(HttpClient http, int port) throws Exception {
        Poll.until("the server starts", Duration.ofMinutes(1), () -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (java.io.IOException notYet) {
                return false; // starting
            }
        });
    }

    private static double heapAfterGc(HttpClient http, int port, long pid) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "GC.run").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        Thread.sleep(1000);
        return metric(http, port, "jvm_memory_used_bytes{area=\"heap\"");
    }

    /** Sums the series whose line starts with the given prefix (heap is reported per pool). */
    private static double metric(HttpClient http, int port, String prefix) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
