package org.vigil.alerting.config;

import java.time.Duration;
import java.util.Objects;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;

/**
 * Webhook delivery settings, part of {@link AlertingConfig}.
 *
 * @param poll       how often the dispatcher looks for due deliveries besides being woken by new alert events
 *                   ({@code VIGIL_WEBHOOK_POLL}, default 1 s)
 * @param timeout    longest wait for a receiver to connect and answer ({@code VIGIL_WEBHOOK_TIMEOUT}, default 10 s)
 * @param backoff    delay after a failed attempt, doubling from {@code VIGIL_WEBHOOK_BACKOFF_MIN} (default 1 s) up
 *                   to {@code VIGIL_WEBHOOK_BACKOFF_MAX} (default 5 min)
 * @param retention  how long delivered rows stay in the outbox for inspection ({@code VIGIL_WEBHOOK_RETENTION},
 *                   default 7 days)
 */
public record WebhookConfig(Duration poll, Duration timeout, Backoff backoff, Duration retention) {

    public static final String POLL = "VIGIL_WEBHOOK_POLL";
    public static final String TIMEOUT = "VIGIL_WEBHOOK_TIMEOUT";
    public static final String BACKOFF_MIN = "VIGIL_WEBHOOK_BACKOFF_MIN";
    public static final String BACKOFF_MAX = "VIGIL_WEBHOOK_BACKOFF_MAX";
    public static final String RETENTION = "VIGIL_WEBHOOK_RETENTION";

    private static final Duration MIN_STEP = Duration.ofMillis(10);

    public WebhookConfig {
        Objects.requireNonNull(poll, "poll");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(retention, "retention");
    }

    public static WebhookConfig from(Settings settings) {
        Duration poll = settings.duration(POLL, Duration.ofSeconds(1), MIN_STEP);
        Duration timeout = settings.duration(TIMEOUT, Duration.ofSeconds(10), MIN_STEP);
        if (timeout.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new ConfigException(TIMEOUT, "must be at most 5m: a receiver that slow holds up its whole queue");
        }
        Duration min = settings.duration(BACKOFF_MIN, Duration.ofSeconds(1), MIN_STEP);
        Duration max = settings.duration(BACKOFF_MAX, Duration.ofMinutes(5));
        if (max.compareTo(min) < 0) {
            throw new ConfigException(BACKOFF_MAX, "must not be below " + BACKOFF_MIN + " (" + min + ")");
        }
        Duration retention = settings.duration(RETENTION, Duration.ofDays(7), Duration.ofMinutes(1));
        return new WebhookConfig(poll, timeout, new Backoff(min, max), retention);
    }
}
