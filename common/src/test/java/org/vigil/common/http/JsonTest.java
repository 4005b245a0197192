package org.vigil.common.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class JsonTest {

    private static final Instant FALLBACK = Instant.parse("2026-11-22T08:00:00Z");

    private static Instant instant(Object value) {
        return Json.instant(new JsonObject().put("from", value), "from", FALLBACK);
    }

    @Test
    void timesFromTheStartOf1900ToTheEndOf2199AreAccepted() {
        assertThat(instant("1900-01-01T00:00:00Z")).isEqualTo(Json.EARLIEST);
        assertThat(instant("2199-12-31T23:59:59.999Z")).isEqualTo(Json.END.minusMillis(1));
        assertThat(instant(Json.END.toEpochMilli() - 1)).isEqualTo(Json.END.minusMillis(1));
        assertThat(instant(-2_208_988_800_000L)).isEqualTo(Json.EARLIEST);
        assertThat(Json.instant(new JsonObject(), "from", FALLBACK)).isEqualTo(FALLBACK);
    }

    @Test
    void timesOutsideThoseYearsAreA400NamingTheField() {
        for (Object far : new Object[] {"+99999-01-01T00:00:00Z", "1899-12-31T23:59:59.999Z", "2200-01-01T00:00:00Z",
                "-5000-01-01T00:00:00Z", Long.MAX_VALUE, Long.MIN_VALUE, -2_208_988_800_001L, 7_258_118_400_000L}) {
            ApiException e = catchThrowableOfType(ApiException.class, () -> instant(far));
            assertThat(e).as("%s", far).isNotNull();
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.field()).isEqualTo("from");
            assertThat(e.getMessage()).contains("1900", "2199");
        }
    }
}
