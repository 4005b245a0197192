package org.vigil.cluster.testing;

import java.time.Duration;

/**
 * The test broker ({@link TestKafka}) as a process of its own, for benchmarks that run Vigil nodes from the server
 * jar on loopback (docs/bench/cluster.sh): a real KRaft broker without a Kafka installation. It prints
 * {@code bootstrap: host:port} once the broker is ready and stops after the given number of seconds, or when
 * killed; either way the test kit's shutdown hook stops the broker. Its data goes under {@code java.io.tmpdir}.
 *
 * <p>Usage: {@code java -cp <cluster test classpath> org.vigil.cluster.testing.KafkaMain [seconds]} (default 600).
 */
public final class KafkaMain {

    private KafkaMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Duration limit = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 600);
        System.out.println("bootstrap: " + TestKafka.bootstrapServers());
        System.out.flush();
        // A benchmark that dies without killing the broker must not leave it running for ever.
        Thread.sleep(limit);
        System.exit(0);
    }
}
