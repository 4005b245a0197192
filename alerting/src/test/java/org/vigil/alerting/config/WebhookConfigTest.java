package org.vigil.alerting.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;

@Timeout(10)
class WebhookConfigTest {

    @Test
    void defaultsPollEverySecondAndBackOffFromOneSecondToFiveMinutes() {
        WebhookConfig config = AlertingConfig.from(Settings.of(Map.of())).webhooks();
        assertThat(config.poll()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.backoff().min()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.backoff().max()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.retention()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void valuesComeFromTheirKeys() {
        WebhookConfig config = WebhookConfig.from(Settings.of(Map.of(WebhookConfig.POLL, "50ms",
                WebhookConfig.TIMEOUT, "2s", WebhookConfig.BACKOFF_MIN, "20ms", WebhookConfig.BACKOFF_MAX, "200ms",
                WebhookConfig.RETENTION, "1d")));
        assertThat(config.poll()).isEqualTo(Duration.ofMillis(50));
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.backoff().after(2)).isEqualTo(Duration.ofMillis(40));
        assertThat(config.backoff().after(10)).isEqualTo(Duration.ofMillis(200));
        assertThat(config.retention()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void badValuesNameTheirKey() {
        for (Map<String, String> bad : java.util.List.of(
                Map.of(WebhookConfig.POLL, "0s"),
                Map.of(WebhookConfig.POLL, "often"),
                Map.of(WebhookConfig.TIMEOUT, "1h"),
                Map.of(WebhookConfig.BACKOFF_MIN, "1ms"),
                Map.of(WebhookConfig.RETENTION, "5s"))) {
            String key = bad.keySet().iterator().next();
            assertThatThrownBy(() -> WebhookConfig.from(Settings.of(bad))).as(key)
                    .isInstanceOf(ConfigException.class).hasMessageContaining(key);
        }
        assertThatThrownBy(() -> WebhookConfig.from(Settings.of(Map.of(WebhookConfig.BACKOFF_MIN, "10s",
                WebhookConfig.BACKOFF_MAX, "5s")))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(WebhookConfig.BACKOFF_MAX);
    }
}
