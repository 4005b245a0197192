package org.vigil.alerting.bench;

import org.vigil.alerting.testing.BuiltInRules;
import org.vigil.common.model.Condition;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.vigil.alerting.clinical.AlertSignal;
import org.vigil.alerting.clinical.ClinicalEngine;
import org.vigil.alerting.clinical.ExpectedMeasurement;
import org.vigil.alerting.clinical.PatientProfile;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;

/**
 * Readings per second through the clinical rule engine on one thread, all built-in rules, state warm:
 * <ul>
 *   <li>{@code mixedSecond}: one simulated second of 1,000 wearables (heart rate and SpO2 at 1 Hz, one message
 *       each) plus one spot measurement (cuff: systolic, diastolic, pulse) and a tick every 60 s;</li>
 *   <li>{@code wearableUploads}: the same wearables uploading 60 s of data per message;</li>
 *   <li>{@code spotChecks}: 999 spot measurements of 20,000 patients (cuff, glucometer, scale), each patient
 *       measuring about twice a day.</li>
 * </ul>
 * Values wander (heart rate 55-135, SpO2 82-99) so sustained, threshold and window rules open and clear as
 * they would. Reading objects are created inside the measurement, as the event bus decodes them. Run as
 * described in docs/performance.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class ClinicalEngineBenchmark {

    private static final int WEARABLES = 1_000;
    private static final int SPOT_PATIENTS = 20_000;
    private static final int SPOT_PER_INVOCATION = 999;
    private static final long SECOND = 1_000;

    private ClinicalEngine engine;
    private PatientProfile[] wearers;
    private PatientProfile[] spot;
    private double[] heartRate;
    private double[] saturation;
    private SplittableRandom rnd;
    private long now;
    private long spotNow;
    private int nextSpot;

    @Setup
    public void setUp() {
        engine = new ClinicalEngine(BuiltInRules.RULES);
        rnd = new SplittableRandom(42);
        Instant since = Instant.parse("2026-01-01T00:00:00Z");
        now = since.toEpochMilli();
        spotNow = now;
        wearers = new PatientProfile[WEARABLES];
        heartRate = new double[WEARABLES];
        saturation = new double[WEARABLES];
        for (int i = 0; i < WEARABLES; i++) {
            Set<Condition> conditions = EnumSet.of(i % 3 == 0 ? Condition.COPD : Condition.HEART_FAILURE);
            if (i % 2 == 0) {
                conditions.add(Condition.HYPERTENSION);
            }
            wearers[i] = new PatientProfile(i + 1, conditions, Map.of(),
                    List.of(ExpectedMeasurement.every(Metric.SPO2, Duration.ofHours(12))), since);
            heartRate[i] = 75;
            saturation[i] = 95;
            engine.track(wearers[i]);
        }
        spot = new PatientProfile[SPOT_PATIENTS];
        Condition[] kinds = {Condition.HYPERTENSION, Condition.DIABETES, Condition.HEART_FAILURE};
        Metric[] expected = {Metric.SYSTOLIC_BP, Metric.GLUCOSE, Metric.BODY_WEIGHT};
        for (int i = 0; i < SPOT_PATIENTS; i++) {
            spot[i] = new PatientProfile(100_000 + i, Set.of(kinds[i % 3]), Map.of(),
                    List.of(ExpectedMeasurement.every(expected[i % 3], Duration.ofHours(12))), since);
            engine.track(spot[i]);
        }
    }

    private double wander(double v, double min, double max, double step) {
        double next = v + (rnd.nextDouble() - 0.5) * step;
        return Math.max(min, Math.min(max, next));
    }

    private List<AlertSignal> spotMeasurement(int i, long at) {
        PatientProfile p = spot[i];
        long device = p.patientId() * 10;
        List<Reading> readings = switch (i % 3) {
            case 0 -> List.of(new Reading(device, p.patientId(), Metric.SYSTOLIC_BP, at, 120 + rnd.nextInt(70)),
                    new Reading(device, p.patientId(), Metric.DIASTOLIC_BP, at, 70 + rnd.nextInt(40)),
                    new Reading(device, p.patientId(), Metric.HEART_RATE, at, 55 + rnd.nextInt(50)));
            case 1 -> List.of(new Reading(device, p.patientId(), Metric.GLUCOSE, at, 3 + rnd.nextDouble() * 12));
            default -> List.of(new Reading(device, p.patientId(), Metric.BODY_WEIGHT, at, 70 + rnd.nextDouble() * 4));
        };
        return engine.onReadings(p, readings, Instant.ofEpochMilli(at + 2 * SECOND));
    }

    @Benchmark
    @OperationsPerInvocation(2 * WEARABLES + 3)
    public int mixedSecond() {
        now += SECOND;
        Instant received = Instant.ofEpochMilli(now + 500);
        int signals = 0;
        for (int i = 0; i < WEARABLES; i++) {
            heartRate[i] = wander(heartRate[i], 55, 135, 3);
            saturation[i] = wander(saturation[i], 82, 99, 0.6);
            long device = wearers[i].patientId() * 10;
            signals += engine.onReadings(wearers[i], List.of(
                    new Reading(device, wearers[i].patientId(), Metric.HEART_RATE, now, Math.round(heartRate[i])),
                    new Reading(device, wearers[i].patientId(), Metric.SPO2, now, Math.round(saturation[i]))),
                    received).size();
        }
        nextSpot = (nextSpot + 1) % SPOT_PATIENTS;
        signals += spotMeasurement(nextSpot - nextSpot % 3, now).size();
        if (now % (60 * SECOND) == 0) {
            signals += engine.onTick(Instant.ofEpochMilli(now)).size();
        }
        return signals;
    }

    @Benchmark
    @OperationsPerInvocation(2 * 60 * WEARABLES)
    public int wearableUploads() {
        long start = now + SECOND;
        now += 60 * SECOND;
        Instant received = Instant.ofEpochMilli(now + 2 * SECOND);
        int signals = 0;
        List<Reading> upload = new ArrayList<>(120);
        for (int i = 0; i < WEARABLES; i++) {
            upload.clear();
            long device = wearers[i].patientId() * 10;
            for (int s = 0; s < 60; s++) {
                heartRate[i] = wander(heartRate[i], 55, 135, 3);
                saturation[i] = wander(saturation[i], 82, 99, 0.6);
                long t = start + s * SECOND;
                upload.add(new Reading(device, wearers[i].patientId(), Metric.HEART_RATE, t, Math.round(heartRate[i])));
                upload.add(new Reading(device, wearers[i].patientId(), Metric.SPO2, t, Math.round(saturation[i])));
            }
            signals += engine.onReadings(wearers[i], upload, received).size();
        }
        return signals + engine.onTick(Instant.ofEpochMilli(now)).size();
    }

    /** 333 cuff measurements (3 values), 333 glucose and 333 weights: 1,665 readings. */
    @Benchmark
    @OperationsPerInvocation(SPOT_PER_INVOCATION / 3 * 5)
    public int spotChecks() {
        // Each patient comes round every 20 invocations: 12 h of simulated time.
        spotNow += Duration.ofHours(12).toMillis() * SPOT_PER_INVOCATION / SPOT_PATIENTS;
        int signals = 0;
        for (int k = 0; k < SPOT_PER_INVOCATION; k++) {
            nextSpot = (nextSpot + 1) % SPOT_PATIENTS;
            signals += spotMeasurement(nextSpot, spotNow + k * SECOND).size();
        }
        return signals;
    }
}
