package org.vigil.simulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Realistic readings for one simulated device: each metric the device type measures varies with
 * Gaussian noise around a per-patient baseline and is clamped to a physiological range (well inside
 * what the server accepts), in canonical units (mmHg, /min, %, mmol/L, kg, °C).
 *
 * <p>Deterministic: two generators built with the same type and seed return the same values for the
 * same sequence of calls. The only input besides the seed is the timestamp the caller passes in, so
 * tests need no clock. Not thread-safe (one generator belongs to one device, driven by one thread).
 */
public final class ReadingGenerator {

    /** Blood pressure readings keep at least this gap between systolic and diastolic (mmHg). */
    private static final double MIN_PULSE_PRESSURE = 20;

    /**
     * One entry of a payload: a measurement time and the values taken then.
     *
     * @param ts      measurement time, epoch milliseconds
     * @param values  metric name to value in its canonical unit, in a stable order; whole-number metrics
     *                are {@link Integer}s, the rest {@link Double}s with one decimal
     */
    public record Entry(long ts, Map<String, Number> values) {
        public Entry {
            values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }
    }

    /** A metric as this patient presents it: a baseline, day-to-day spread and the range it stays in. */
    private record Signal(String metric, double baseline, double sd, double min, double max, boolean whole) {

        Number sample(Random random) {
            double value = Math.clamp(baseline + sd * random.nextGaussian(), min, max);
            return round(value, whole);
        }
    }

    private final DeviceType type;
    private final Random random;
    private final List<Signal> signals;

    /**
     * @param type  what the device measures
     * @param seed  fixes the patient's baselines and the noise sequence
     */
    public ReadingGenerator(DeviceType type, long seed) {
        this.type = Objects.requireNonNull(type, "type");
        this.random = new Random(seed);
        this.signals = signals(type, random);
    }

    /**
     * A well-mixed seed for the device at {@code index} of a run seeded with {@code runSeed}. Adjacent
     * seeds given straight to {@link Random} start with correlated values, so neighbouring devices would
     * look alike; the SplitMix64 finaliser decorrelates them.
     */
    public static long deviceSeed(long runSeed, int index) {
        long z = runSeed + 0x9E3779B97F4A7C15L * (index + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public DeviceType type() {
        return type;
    }

    /** The metric names this generator produces, in payload order. */
    public List<String> metrics() {
        return signals.stream().map(Signal::metric).toList();
    }

    /** One entry measured at {@code ts}. */
    public Entry next(long ts) {
        Map<String, Number> values = new LinkedHashMap<>();
        for (Signal s : signals) {
            values.put(s.metric(), s.sample(random));
        }
        if (type == DeviceType.BP_MONITOR) {
            // Independent noise could make diastolic meet systolic, which no cuff reports.
            double systolic = values.get("systolic_bp").doubleValue();
            if (values.get("diastolic_bp").doubleValue() > systolic - MIN_PULSE_PRESSURE) {
                values.put("diastolic_bp", round(systolic - MIN_PULSE_PRESSURE, true));
            }
        }
        return new Entry(ts, values);
    }

    /**
     * {@code count} entries one second apart, oldest first, the last one at {@code endMillis}: what a
     * device uploads after buffering readings while offline.
     */
    public List<Entry> batch(long endMillis, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1 (was " + count + ")");
        }
        List<Entry> entries = new ArrayList<>(count);
        for (int i = count - 1; i >= 0; i--) {
            entries.add(next(endMillis - i * 1000L));
        }
        return entries;
    }

    /**
     * The MQTT payload for those entries: UTF-8 JSON, one object for a single entry, an array otherwise,
     * each {@code {"ts": <epoch ms>, "values": {...}}}.
     */
    public static byte[] encode(List<Entry> entries) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("no entries to encode");
        }
        String json;
        if (entries.size() == 1) {
            json = toJson(entries.get(0)).encode();
        } else {
            JsonArray array = new JsonArray();
            entries.forEach(e -> array.add(toJson(e)));
            json = array.encode();
        }
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** How many values (server-side readings) those entries hold. */
    public static int valueCount(List<Entry> entries) {
        int n = 0;
        for (Entry e : entries) {
            n += e.values().size();
        }
        return n;
    }

    private static JsonObject toJson(Entry entry) {
        JsonObject values = new JsonObject();
        entry.values().forEach(values::put);
        return new JsonObject().put("ts", entry.ts()).put("values", values);
    }

    private static Number round(double value, boolean whole) {
        return whole ? (Number) (int) Math.round(value) : (Number) (Math.round(value * 10) / 10.0);
    }

    /**
     * Baselines are drawn once per device, so each simulated patient has a stable personal level, as
     * home monitoring sees it. Ranges follow the patients the device is issued to (a blood pressure
     * monitor goes to a hypertensive patient, an oximeter to a COPD patient).
     */
    private static List<Signal> signals(DeviceType type, Random r) {
        return switch (type) {
            case BP_MONITOR -> List.of(
                    new Signal("systolic_bp", uniform(r, 135, 165), 8, 80, 240, true),
                    new Signal("diastolic_bp", uniform(r, 80, 100), 6, 45, 140, true),
                    new Signal("heart_rate", uniform(r, 60, 85), 5, 40, 160, true));
            case GLUCOMETER -> List.of(
                    new Signal("glucose", uniform(r, 5, 9), 1.2, 2.5, 30, false));
            case PULSE_OXIMETER -> List.of(
                    new Signal("spo2", uniform(r, 89, 95), 1.5, 75, 100, true),
                    new Signal("heart_rate", uniform(r, 70, 95), 6, 40, 160, true));
            case SCALE -> List.of(
                    new Signal("body_weight", uniform(r, 50, 90), 0.3, 30, 200, false));
            case THERMOMETER -> List.of(
                    new Signal("body_temp", uniform(r, 36.2, 37.0), 0.2, 34.5, 41, false));
            case WEARABLE -> List.of(
                    new Signal("heart_rate", uniform(r, 60, 90), 6, 40, 160, true),
                    new Signal("spo2", uniform(r, 95, 99), 1, 75, 100, true),
                    new Signal("resp_rate", uniform(r, 12, 20), 1.5, 6, 40, true));
        };
    }

    private static double uniform(Random r, double low, double high) {
        return low + (high - low) * r.nextDouble();
    }
}
