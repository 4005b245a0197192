package org.vigil.ingest.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.vigil.ingest.payload.ParseResult;
import org.vigil.ingest.payload.PayloadParser;

/**
 * Payload parsing cost on one thread: a blood-pressure message (3 values) and a wearable upload of 60
 * one-second entries (120 values). Run as described in docs/performance.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PayloadParserBenchmark {

    private PayloadParser parser;
    private byte[] bloodPressure;
    private byte[] wearableUpload;
    private long now;

    @Setup
    public void setUp() {
        parser = new PayloadParser(Duration.ofDays(30), Duration.ofMinutes(15), 5000);
        now = System.currentTimeMillis();
        bloodPressure = ("{\"ts\": " + (now - 1000) + ", \"values\": {\"systolic_bp\": 152, \"diastolic_bp\": 96,"
                + " \"heart_rate\": 78}}").getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 60; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"ts\": ").append(now - 60_000 + i * 1000L)
                    .append(", \"values\": {\"heart_rate\": ").append(70 + i % 9).append(", \"spo2\": ").append(95 + i % 3)
                    .append("}}");
        }
        wearableUpload = sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public ParseResult bloodPressureMessage() {
        return parser.parse(bloodPressure, 1, 2, now);
    }

    @Benchmark
    public ParseResult wearableUpload60s() {
        return parser.parse(wearableUpload, 1, 2, now);
    }
}
