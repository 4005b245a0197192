package org.vigil.cluster.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.Uuid;
import org.vigil.common.testing.Poll;

/**
 * A real Kafka broker in a JVM of its own, which a fault test can kill with SIGKILL and start again on the same
 * port and the same log directory, as an operator's broker restarts after a crash. The shared in-process broker
 * ({@link TestKafka}) cannot do that: other tests use it, and its test kit formats new storage on every start.
 *
 * <p>It is Kafka's own server main ({@code kafka.Kafka}) with a properties file, a single KRaft node that is both
 * controller and broker, from the Kafka artifacts on the test classpath; the storage is formatted once, in this
 * process, with Kafka's {@code StorageTool}. Output goes to {@code broker.log} in the given directory.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

    private final Path dir;
    private final Path properties;
    private final int port;
    private Process process;

    private KafkaBrokerProcess(Path dir, Path properties, int port) {
        this.dir = dir;
        this.properties = properties;
        this.port = port;
    }

    /** Writes the broker's settings under {@code dir} on two free loopback ports and formats its storage. */
    public static KafkaBrokerProcess format(Path dir) throws IOException {
        int port = freePort();
        int controllerPort = freePort();
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dir.resolve("data").toString());
        // One broker: internal topics cannot have more replicas than that (as TestKafka).
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "3");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("group.min.session.timeout.ms", "1000");
        Path file = dir.resolve("server.properties");
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, "Vigil test broker");
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int code = kafka.tools.StorageTool.execute(new String[] {"format", "--config", file.toString(),
                "--cluster-id", Uuid.randomUuid().toString()}, new PrintStream(output, true, StandardCharsets.UTF_8));
        if (code != 0) {
            throw new IOException("cannot format the broker's storage: " + output.toString(StandardCharsets.UTF_8));
        }
        return new KafkaBrokerProcess(dir, file, port);
    }

    /** {@code host:port} for clients. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Starts the broker, or starts it again after {@link #kill()}, and returns once its port takes connections. */
    public void start() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = dir.resolve("broker.log");
        process = new ProcessBuilder(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "kafka.Kafka", properties.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        Poll.until("the broker opens its port; see " + log, Duration.ofSeconds(60), () -> {
            if (!process.isAlive()) {
                throw new IOException("the broker exited with " + process.exitValue() + "; see " + log);
            }
            return accepts();
        });
    }

    /** SIGKILL: the broker flushes nothing and leaves no group; what it had not written to disk is its own loss. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}
