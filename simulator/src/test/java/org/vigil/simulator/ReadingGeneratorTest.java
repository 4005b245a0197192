package org.vigil.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReadingGeneratorTest {

    private static final long T0 = 1_760_000_000_000L;

    /** Physiological ranges the simulator promises; each sits inside what the server accepts. */
    private static final Map<String, double[]> RANGES = Map.of(
            "systolic_bp", new double[] {80, 240},
            "diastolic_bp", new double[] {45, 140},
            "heart_rate", new double[] {40, 160},
            "resp_rate", new double[] {6, 40},
            "spo2", new double[] {75, 100},
            "glucose", new double[] {2.5, 30},
            "body_weight", new double[] {30, 200},
            "body_temp", new double[] {34.5, 41});

    @ParameterizedTest
    @EnumSource(DeviceType.class)
    void sameSeedGivesSameReadings(DeviceType type) {
        ReadingGenerator a = new ReadingGenerator(type, 42);
        ReadingGenerator b = new ReadingGenerator(type, 42);
        for (int i = 0; i < 100; i++) {
            assertThat(a.batch(T0 + i * 1000L, 3)).isEqualTo(b.batch(T0 + i * 1000L, 3));
        }
    }

    @Test
    void differentSeedsGiveDifferentPatients() {
        List<ReadingGenerator.Entry> a = new ReadingGenerator(DeviceType.BP_MONITOR, 1).batch(T0, 20);
        List<ReadingGenerator.Entry> b = new ReadingGenerator(DeviceType.BP_MONITOR, 2).batch(T0, 20);
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void deviceSeedsDifferPerDeviceAndAreStable() {
        assertThat(ReadingGenerator.deviceSeed(42, 0)).isEqualTo(ReadingGenerator.deviceSeed(42, 0));
        assertThat(ReadingGenerator.deviceSeed(42, 0)).isNotEqualTo(ReadingGenerator.deviceSeed(42, 1));
        assertThat(ReadingGenerator.deviceSeed(42, 0)).isNotEqualTo(ReadingGenerator.deviceSeed(43, 0));
    }

    @ParameterizedTest
    @EnumSource(DeviceType.class)
    void valuesStayWithinPhysiologicalRangesOverManySamples(DeviceType type) {
        for (long seed = 0; seed < 50; seed++) {
            ReadingGenerator generator = new ReadingGenerator(type, seed);
            for (int i = 0; i < 2000; i++) {
                ReadingGenerator.Entry entry = generator.next(T0 + i);
                assertThat(entry.values().keySet()).containsExactlyElementsOf(generator.metrics());
                entry.values().forEach((metric, value) -> {
                    double[] range = RANGES.get(metric);
                    assertThat(range).as("known metric %s", metric).isNotNull();
                    assertThat(value.doubleValue()).as(metric).isBetween(range[0], range[1]);
                });
                if (type == DeviceType.BP_MONITOR) {
                    assertThat(entry.values().get("diastolic_bp").intValue())
                            .isLessThanOrEqualTo(entry.values().get("systolic_bp").intValue() - 20);
                }
            }
        }
    }

    @Test
    void eachDeviceTypeMeasuresItsMetrics() {
        assertThat(new ReadingGenerator(DeviceType.BP_MONITOR, 1).metrics()).containsExactly("systolic_bp", "diastolic_bp", "heart_rate");
        assertThat(new ReadingGenerator(DeviceType.GLUCOMETER, 1).metrics()).containsExactly("glucose");
        assertThat(new ReadingGenerator(DeviceType.PULSE_OXIMETER, 1).metrics()).containsExactly("spo2", "heart_rate");
        assertThat(new ReadingGenerator(DeviceType.SCALE, 1).metrics()).containsExactly("body_weight");
        assertThat(new ReadingGenerator(DeviceType.THERMOMETER, 1).metrics()).containsExactly("body_temp");
        assertThat(new ReadingGenerator(DeviceType.WEARABLE, 1).metrics()).containsExactly("heart_rate", "spo2", "resp_rate");
    }

    @Test
    void readingsVaryAroundAPlausiblePersonalBaseline() {
        for (long seed = 0; seed < 20; seed++) {
            ReadingGenerator bp = new ReadingGenerator(DeviceType.BP_MONITOR, seed);
            ReadingGenerator scale = new ReadingGenerator(DeviceType.SCALE, seed);
            ReadingGenerator oximeter = new ReadingGenerator(DeviceType.PULSE_OXIMETER, seed);
            double systolic = 0;
            double minWeight = Double.MAX_VALUE;
            double maxWeight = 0;
            double spo2 = 0;
            int n = 1000;
            for (int i = 0; i < n; i++) {
                systolic += bp.next(T0).values().get("systolic_bp").doubleValue();
                double w = scale.next(T0).values().get("body_weight").doubleValue();
                minWeight = Math.min(minWeight, w);
                maxWeight = Math.max(maxWeight, w);
                spo2 += oximeter.next(T0).values().get("spo2").doubleValue();
            }
            // Hypertensive baseline 135-165 mmHg; COPD SpO2 89-95 %; weight stable to about a kilogram.
            assertThat(systolic / n).isBetween(133.0, 167.0);
            assertThat(spo2 / n).isBetween(88.5, 95.5);
            assertThat(maxWeight - minWeight).isLessThan(3.0);
            assertThat(minWeight).isGreaterThan(48.0);
        }
    }

    @Test
    void wholeNumberMetricsAreIntegersAndOthersHaveOneDecimal() {
        ReadingGenerator.Entry bp = new ReadingGenerator(DeviceType.BP_MONITOR, 7).next(T0);
        assertThat(bp.values().values()).allSatisfy(v -> assertThat(v).isInstanceOf(Integer.class));
        for (int i = 0; i < 100; i++) {
            Number glucose = new ReadingGenerator(DeviceType.GLUCOMETER, i).next(T0).values().get("glucose");
            assertThat(glucose).isInstanceOf(Double.class);
            assertThat(glucose.doubleValue() * 10).isCloseTo(Math.rint(glucose.doubleValue() * 10), offset(1e-6));
        }
    }

    @Test
    void batchTimestampsAreOneSecondApartEndingAtTheGivenTime() {
        List<ReadingGenerator.Entry> batch = new ReadingGenerator(DeviceType.WEARABLE, 3).batch(T0, 5);
        assertThat(batch).extracting(ReadingGenerator.Entry::ts)
                .containsExactly(T0 - 4000, T0 - 3000, T0 - 2000, T0 - 1000, T0);
    }

    @Test
    void batchNeedsAtLeastOneEntry() {
        assertThatThrownBy(() -> new ReadingGenerator(DeviceType.SCALE, 1).batch(T0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void oneEntryEncodesAsAnObject() {
        List<ReadingGenerator.Entry> one = new ReadingGenerator(DeviceType.BP_MONITOR, 5).batch(T0, 1);
        JsonObject json = new JsonObject(new String(ReadingGenerator.encode(one), StandardCharsets.UTF_8));
        assertThat(json.getLong("ts")).isEqualTo(T0);
        assertThat(json.getJsonObject("values").fieldNames()).containsExactlyInAnyOrder("systolic_bp", "diastolic_bp", "heart_rate");
        assertThat(json.getJsonObject("values").getInteger("systolic_bp")).isEqualTo(one.get(0).values().get("systolic_bp"));
        assertThat(ReadingGenerator.valueCount(one)).isEqualTo(3);
    }

    @Test
    void aBatchEncodesAsAnArray() {
        List<ReadingGenerator.Entry> batch = new ReadingGenerator(DeviceType.GLUCOMETER, 5).batch(T0, 4);
        JsonArray json = new JsonArray(new String(ReadingGenerator.encode(batch), StandardCharsets.UTF_8));
        assertThat(json).hasSize(4);
        assertThat(json.getJsonObject(3).getLong("ts")).isEqualTo(T0);
        assertThat(json.getJsonObject(0).getLong("ts")).isEqualTo(T0 - 3000);
        assertThat(json.getJsonObject(2).getJsonObject("values").getDouble("glucose"))
                .isEqualTo(batch.get(2).values().get("glucose").doubleValue());
        assertThat(ReadingGenerator.valueCount(batch)).isEqualTo(4);
    }
}
