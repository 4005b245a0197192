package org.vigil.server.bench;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.vigil.common.config.Settings;
import org.vigil.server.VigilServer;
import org.vigil.simulator.Progress;
import org.vigil.simulator.SimulationListener;
import org.vigil.simulator.SimulationReport;
import org.vigil.simulator.Simulator;
import org.vigil.simulator.SimulatorConfig;

/**
 * End-to-end ingest throughput on this machine, and in the same run the rate of a raw PostgreSQL COPY of
 * as many rows into a table with the same unique index: the ceiling any ingest path on this box can reach.
 * Everything (server, embedded PostgreSQL, load generator) shares the machine, on 127.0.0.1 only; the run is
 * bounded by its duration and stops by itself. Not a test: run it as docs/performance.md shows.
 *
 * <p>Arguments: {@code devices rate seconds batch} (messages/s in total; entries per message).
 */
public final class IngestThroughput {

    private IngestThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 20000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        Map<String, String> env = BenchSettings.of(Map.of("VIGIL_INGEST_MAX_READINGS_PER_MESSAGE", "100000"));
        try (VigilServer server = VigilServer.start(Settings.of(env), Clock.systemUTC())) {
            SimulatorConfig config = SimulatorConfig.parse(
                    "--client", "vertx", "--loops", "1", "--window", "64",
                    "--mqtt-host", "127.0.0.1", "--mqtt-port", String.valueOf(server.mqttPort()),
                    "--api", "http://127.0.0.1:" + server.httpPort(), "--token", server.adminToken(),
                    "--devices", String.valueOf(devices), "--rate", String.valueOf(rate),
                    "--duration", seconds + "s", "--batch", String.valueOf(batch), "--qos", "1", "--seed", "1");
            StoredSampler sampler = new StoredSampler(server.httpPort());
            sampler.start();
            SimulationReport report = Simulator.run(config, new SimulationListener() {
                @Override
                public void progress(Progress progress) {
                    System.out.println(progress.line());
                }
            });
            sampler.stop();
            double elapsed = report.elapsed().toMillis() / 1000.0;
            double readingsPerSecond = report.readingsSent() * (report.acknowledged() / (double) Math.max(1, report.sent()))
                    / elapsed;

            long rows = Math.max(100_000, report.readingsSent());
            double copyRate = rawCopy(server, rows);
            System.out.printf("%nINGEST devices=%d offered=%d msg/s batch=%d duration=%ds writers=%s max-batch=%s%n", devices,
                    rate, batch, seconds, env.getOrDefault("VIGIL_INGEST_WRITERS", "2"), env.getOrDefault("VIGIL_INGEST_MAX_BATCH", "20000"));
            System.out.printf("  sent %d, acknowledged %d, failed %d messages; %.0f msg/s, %.0f readings/s acknowledged%n",
                    report.sent(), report.acknowledged(), report.failed(), report.acknowledged() / elapsed, readingsPerSecond);
            System.out.printf("  PUBACK latency p50 %.1f ms, p99 %.1f ms%n", report.p50LatencyMs(), report.p99LatencyMs());
            double durable = sampler.bestRate(20);
            System.out.printf("  durable (server counter, best 20 s window): %.0f readings/s%n", durable);
            System.out.printf("  raw COPY of %d rows into the same indexed table: %.0f rows/s; durable ingest is %.0f %% of it%n",
                    rows, copyRate, 100 * durable / copyRate);
        }
    }

    /** Samples vigil_ingest_readings_stored_total once a second from /metrics. */
    private static final class StoredSampler {
        private final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        private final java.net.URI uri;
        private final java.util.List<double[]> samples = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.concurrent.ScheduledExecutorService timer =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();

        StoredSampler(int port) {
            this.uri = java.net.URI.create("http://127.0.0.1:" + port + "/metrics");
        }

        void start() {
            timer.scheduleAtFixedRate(this::sample, 0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }

        void stop() {
            timer.shutdownNow();
        }

        private void sample() {
            try {
                String body = http.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                body.lines().filter(l -> l.startsWith("vigil_ingest_readings_stored_total ")).findFirst().ifPresent(l ->
                        samples.add(new double[] {System.nanoTime() / 1e9, Double.parseDouble(l.substring(l.indexOf(' ') + 1))}));
            } catch (java.io.IOException | InterruptedException e) {
                // a missed sample only widens the window
            }
        }

        /** The highest stored-readings rate over any window of about {@code seconds}. */
        double bestRate(int seconds) {
            double best = 0;
            for (int i = 0; i + seconds < samples.size(); i++) {
                double[] a = samples.get(i);
                double[] b = samples.get(i + seconds);
                best = Math.max(best, (b[1] - a[1]) / (b[0] - a[0]));
            }
            return best;
        }
    }

    /** COPY (text) of {@code rows} rows on one connection into a fresh table shaped and indexed like {@code reading}. */
    private static double rawCopy(VigilServer server, long rows) throws Exception {
        try (Connection c = server.database().newDedicatedConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS copy_bench");
            s.execute("CREATE TABLE copy_bench (patient_id bigint NOT NULL, metric smallint NOT NULL,"
                    + " ts timestamptz NOT NULL, device_id bigint NOT NULL, value double precision NOT NULL,"
                    + " received_at timestamptz NOT NULL DEFAULT now())");
            s.execute("CREATE UNIQUE INDEX ON copy_bench (patient_id, metric, ts, device_id)");
            StringBuilder text = new StringBuilder();
            long base = System.currentTimeMillis() - 3_600_000;
            for (long i = 0; i < rows; i++) {
                text.append(i % 20_000).append('\t').append(3).append('\t')
                        .append(java.time.Instant.ofEpochMilli(base + i / 20_000 * 1000)).append('\t')
                        .append(i % 20_000).append('\t').append(60 + i % 40).append('\n');
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
            long start = System.nanoTime();
            CopyIn in = c.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY copy_bench (patient_id, metric, ts, device_id, value) FROM STDIN");
            for (int off = 0; off < bytes.length; off += 1 << 20) {
                in.writeToCopy(bytes, off, Math.min(1 << 20, bytes.length - off));
            }
            in.endCopy();
            double seconds = (System.nanoTime() - start) / 1e9;
            s.execute("DROP TABLE copy_bench");
            return rows / seconds;
        }
    }
}
