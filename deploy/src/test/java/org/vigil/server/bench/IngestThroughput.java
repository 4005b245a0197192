package org.vigil.server.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;
import org.vigil.ingest.store.BinaryCopy;
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
 * <p>Arguments: {@code devices rate seconds batch [warm-up-seconds [simulator options...]]} (messages/s in
 * total; entries per message). A warm-up runs the same devices at the same rate first and is not measured,
 * so the figures are those of a server that has been running, as in service; without one they include the
 * start (class loading, compilation, the engine meeting every patient). Further simulator options follow,
 * e.g. {@code --mix diabetes=1 --comorbidity 0} for glucometers only, one reading per message.
 */
public final class IngestThroughput {

    private IngestThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 20000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        List<String> extra = args.length > 5 ? List.of(args).subList(5, args.length) : List.of();
        Map<String, String> env = BenchSettings.of(Map.of("VIGIL_INGEST_MAX_READINGS_PER_MESSAGE", "100000"));
        Path devicesFile = Files.createTempFile("vigil-bench-devices", ".csv");
        Files.delete(devicesFile);
        try (VigilServer server = VigilServer.start(Settings.of(env), Clock.systemUTC())) {
            if (warmup > 0) {
                // The same devices, so the measured run starts with compiled code and patients the engine knows.
                System.out.printf("Warm-up: %d s at %d msg/s, not measured%n", warmup, rate);
                Simulator.run(config(server, devicesFile, devices, rate, warmup, batch, extra));
            }
            SimulatorConfig config = config(server, devicesFile, devices, rate, seconds, batch, extra);
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
            double copyRate = rawCopy(server, rows, devices, batch);
            System.out.printf("%nINGEST devices=%d offered=%d msg/s batch=%d duration=%ds warm-up=%ds writers=%s max-batch=%s %s%n",
                    devices, rate, batch, seconds, warmup, env.getOrDefault("VIGIL_INGEST_WRITERS", "2"),
                    env.getOrDefault("VIGIL_INGEST_MAX_BATCH", "20000"), String.join(" ", extra));
            System.out.printf("  sent %d, acknowledged %d, failed %d messages; %.0f msg/s, %.0f readings/s acknowledged%n",
                    report.sent(), report.acknowledged(), report.failed(), report.acknowledged() / elapsed, readingsPerSecond);
            System.out.printf("  PUBACK latency p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms%n", report.p50LatencyMs(),
                    report.p99LatencyMs(), report.pubackLatency().p999Ms(), report.pubackLatency().maxMs());
            double durable = sampler.meanRate();
            System.out.printf("  durable (server counter): %.0f readings/s over the run, lowest 10 s window %.0f%n",
                    durable, sampler.lowestRate(10));
            System.out.printf("  repeats dropped %.0f, batches staged %.0f (both since the server started)%n",
                    sampler.duplicates, sampler.staged);
            System.out.printf("  raw binary COPY of %d rows into the same indexed table: %.0f rows/s; durable ingest is %.0f %% of it%n",
                    rows, copyRate, 100 * durable / copyRate);
        } finally {
            Files.deleteIfExists(devicesFile);
        }
    }

    private static SimulatorConfig config(VigilServer server, Path devicesFile, int devices, int rate, int seconds, int batch,
            List<String> extra) {
        List<String> args = new ArrayList<>(List.of(
                "--client", "vertx", "--loops", "1", "--window", "64",
                "--mqtt-host", "127.0.0.1", "--mqtt-port", String.valueOf(server.mqttPort()),
                "--api", "http://127.0.0.1:" + server.httpPort(), "--token", server.adminToken(),
                "--devices-file", devicesFile.toString(),
                "--devices", String.valueOf(devices), "--rate", String.valueOf(rate),
                "--duration", seconds + "s", "--batch", String.valueOf(batch), "--qos", "1", "--seed", "1"));
        args.addAll(extra);
        return SimulatorConfig.parse(args.toArray(String[]::new));
    }

    /** Samples vigil_ingest_readings_stored_total once a second from /metrics. */
    private static final class StoredSampler {
        private final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        private final java.net.URI uri;
        private final java.util.List<double[]> samples = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile double duplicates;
        private volatile double staged;
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
                for (String line : body.split("\n")) {
                    if (line.startsWith("vigil_ingest_readings_stored_total ")) {
                        samples.add(new double[] {System.nanoTime() / 1e9, value(line)});
                    } else if (line.startsWith("vigil_ingest_readings_duplicate_total ")) {
                        duplicates = value(line);
                    } else if (line.startsWith("vigil_ingest_batch_staged_total ")) {
                        staged = value(line);
                    }
                }
            } catch (java.io.IOException | InterruptedException e) {
                // a missed sample only widens the window
            }
        }

        private static double value(String line) {
            return Double.parseDouble(line.substring(line.indexOf(' ') + 1));
        }

        /**
         * Stored readings per second from the last sample before anything was stored (connecting takes a
         * moment) to the first sample with everything stored (the run then waits idle for its end).
         */
        double meanRate() {
            int[] span = activeSpan();
            double[] a = samples.get(span[0]);
            double[] b = samples.get(span[1]);
            return b[0] > a[0] ? (b[1] - a[1]) / (b[0] - a[0]) : 0;
        }

        /**
         * The lowest stored-readings rate over any window of about {@code seconds} within the active span,
         * leaving out its last two seconds, where the load stops and the queue drains.
         */
        double lowestRate(int seconds) {
            int[] span = activeSpan();
            double lowest = Double.MAX_VALUE;
            for (int i = span[0]; i + seconds <= span[1] - 2; i++) {
                double[] a = samples.get(i);
                double[] b = samples.get(i + seconds);
                lowest = Math.min(lowest, (b[1] - a[1]) / (b[0] - a[0]));
            }
            return lowest == Double.MAX_VALUE ? 0 : lowest;
        }

        /** Indexes of the last sample before the counter moved and the first at its final value. */
        private int[] activeSpan() {
            if (samples.isEmpty()) {
                return new int[] {0, 0};
            }
            int first = 0;
            while (first + 1 < samples.size() && samples.get(first + 1)[1] == samples.get(0)[1]) {
                first++;
            }
            double last = samples.get(samples.size() - 1)[1];
            int end = samples.size() - 1;
            while (end > first && samples.get(end - 1)[1] == last) {
                end--;
            }
            return new int[] {first, end};
        }
    }

    /**
     * Binary COPY of {@code rows} rows on one connection into a fresh table shaped and indexed like
     * {@code reading}, in the format and chunk size the writer uses, with the writer's encoder: what
     * PostgreSQL alone can take on this machine, with nothing else running. The rows come in the order the
     * run sent them (each message's {@code batch} entries together, devices in turn), because the unique
     * index's cost depends on it.
     */
    private static double rawCopy(VigilServer server, long rows, int devices, int batch) throws Exception {
        try (Connection c = server.database().newDedicatedConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS copy_bench");
            s.execute("CREATE TABLE copy_bench (patient_id bigint NOT NULL, metric smallint NOT NULL,"
                    + " ts timestamptz NOT NULL, device_id bigint NOT NULL, value double precision NOT NULL,"
                    + " received_at timestamptz NOT NULL DEFAULT now(), log_pos bigint, context smallint) PARTITION BY RANGE (ts)");
            // Partitioned like reading on plain PostgreSQL; every row falls into the one partition, as a day's do.
            s.execute("CREATE TABLE copy_bench_all PARTITION OF copy_bench DEFAULT");
            s.execute("CREATE UNIQUE INDEX ON copy_bench (patient_id, metric, ts, device_id)");
            s.execute("CREATE INDEX ON copy_bench USING brin (log_pos)");
            int chunk = 20_000;
            long base = System.currentTimeMillis() - 3_600_000;
            CopyManager copies = c.unwrap(PGConnection.class).getCopyAPI();
            BinaryCopy copy = new BinaryCopy();
            long copying = 0;
            for (long i = 0; i < rows; i += chunk) {
                copy.reset();
                for (long j = i; j < Math.min(rows, i + chunk); j++) {
                    long message = j / batch;
                    long device = message % devices;
                    long ts = base + (message / devices * batch + j % batch) * 1000;
                    copy.add(new Reading(device, device, Metric.HEART_RATE, ts, 60 + j % 40), j + 1);
                }
                copy.finish();
                // Only the COPY is timed: encoding is the writer's cost, measured in the run itself.
                long start = System.nanoTime();
                CopyIn in = copies.copyIn(
                        "COPY copy_bench (patient_id, metric, ts, device_id, value, log_pos, context) FROM STDIN (FORMAT binary)");
                in.writeToCopy(copy.bytes(), 0, copy.length());
                in.endCopy();
                copying += System.nanoTime() - start;
            }
            double seconds = copying / 1e9;
            s.execute("DROP TABLE copy_bench");
            return rows / seconds;
        }
    }
}
