package org.vigil.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.vigil.common.testing.Poll;

/**
 * A Vigil server in a JVM of its own, started with {@link Main} as an operator would, so a test can kill
 * it with SIGKILL. Output goes to a log file for diagnosis.
 */
final class ServerProcess implements AutoCloseable {

    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    private final int httpPort;
    private Process process;

    ServerProcess(Map<String, String> env, Path log, int httpPort) {
        this(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                "org.vigil.server.Main"), env, log, httpPort);
    }

    /** A server on the HTTP port its settings name. */
    ServerProcess(Map<String, String> env, Path log) {
        this(env, log, Integer.parseInt(env.get("VIGIL_HTTP_PORT")));
    }

    /** A server started by another command, such as the shipped start script. */
    ServerProcess(List<String> command, Map<String, String> env, Path log, int httpPort) {
        this.command = List.copyOf(command);
        this.env = env;
        this.log = log;
        this.httpPort = httpPort;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Sets free HTTP and MQTT ports in {@code env}, which a server in a process of its own cannot choose itself. */
    static Map<String, String> withFreePorts(Map<String, String> env) throws IOException {
        env.put("VIGIL_HTTP_PORT", String.valueOf(freePort()));
        env.put("VIGIL_MQTT_PORT", String.valueOf(freePort()));
        return env;
    }

    /** Drops a client whose server was killed under it, whether or not it has noticed yet. */
    static void abandon(MqttClient client) throws MqttException {
        try {
            client.disconnectForcibly(0, 100);
        } catch (MqttException alreadyGone) {
            // the connection was already lost
        }
        client.close(true);
    }

    /** Starts the server and returns once /health answers 200. */
    void start() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        process = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        Poll.until("the server becomes healthy; see " + log, Duration.ofSeconds(90), () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + "; see " + log);
            }
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException notYet) {
                return false; // still starting
            }
        });
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /**
     * SIGKILL to the server JVM and the child processes in its process group, as a kill of the whole group
     * would: the children first, so none of them sees the JVM die. Processes in a session of their own (the
     * embedded postmaster) survive.
     */
    void killProcessGroup() throws InterruptedException {
        long group = processGroup(process.pid());
        for (ProcessHandle child : process.descendants().filter(p -> processGroup(p.pid()) == group).toList()) {
            child.destroyForcibly();
        }
        kill();
    }

    /** SIGKILL to the server JVM and every process it started, the embedded PostgreSQL's included. */
    void killEverything() throws InterruptedException {
        for (ProcessHandle child : process.descendants().toList()) {
            child.destroyForcibly();
        }
        kill();
    }

    /** The process group of a process, from Linux's /proc. */
    private static long processGroup(long pid) {
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/stat"));
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2]);
        } catch (IOException e) {
            return -1;
        }
    }

    /** SIGTERM: the shutdown hook drains and stops. Returns the exit code. */
    int terminate(Duration wait) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            return -1;
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }
}
