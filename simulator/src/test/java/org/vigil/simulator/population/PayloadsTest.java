package org.vigil.simulator.population;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PayloadsTest {

    private final Payloads payloads = new Payloads();

    @Test
    void oneEntryIsAnObjectWithWholeAndOneDecimalNumbers() {
        String json = text(payloads.begin(1).entry(1_700_000_000_000L, DeviceType.BP_MONITOR.metrics(), new double[] {128, 79, 71}).finish());
        assertThat(json).isEqualTo("{\"ts\":1700000000000,\"values\":{\"systolic_bp\":128,\"diastolic_bp\":79,\"heart_rate\":71}}");
        JsonObject glucose = new JsonObject(text(payloads.begin(1).entry(5, DeviceType.GLUCOMETER.metrics(), new double[] {6.04}).finish()));
        assertThat(glucose.getJsonObject("values").getDouble("glucose")).isEqualTo(6.0);
    }

    @Test
    void aBatchIsAnArray() {
        payloads.begin(3);
        for (int i = 0; i < 3; i++) {
            payloads.entry(1000L * i, DeviceType.SCALE.metrics(), new double[] {70.25 + i});
        }
        JsonArray array = new JsonArray(text(payloads.finish()));
        assertThat(array).hasSize(3);
        assertThat(array.getJsonObject(2).getLong("ts")).isEqualTo(2000L);
        assertThat(array.getJsonObject(2).getJsonObject("values").getDouble("body_weight")).isEqualTo(72.3);
    }

    @Test
    void malformedPayloadsAreNotValidReadings() {
        double[] v = {128, 79, 71};
        assertThatThrownBy(() -> new JsonObject(text(payloads.malformed(Payloads.Malformation.TRUNCATED, 1, DeviceType.BP_MONITOR.metrics(), v))))
                .isInstanceOf(RuntimeException.class);
        assertThat(new JsonObject(text(payloads.malformed(Payloads.Malformation.NOT_A_NUMBER, 1, DeviceType.BP_MONITOR.metrics(), v)))
                .getJsonObject("values").getValue("systolic_bp")).isEqualTo("high");
        assertThat(text(payloads.malformed(Payloads.Malformation.OUT_OF_RANGE, 1, DeviceType.BP_MONITOR.metrics(), v))).contains("9999");
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
