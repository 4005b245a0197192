package org.vigil.alerting.config;

import java.time.Duration;
import org.vigil.common.config.ConfigException;
import org.vigil.common.config.Settings;

/**
 * Alerting settings, built by {@link #from(Settings)}, which validates each and leaves none null.
 *
 * @param clinicalRules  the clinical rule set, from {@code VIGIL_CLINICAL_RULES_FILE} or the built-in
 *                       {@code clinical-rules.json}
 * @param tickInterval   how often the engine's time-based checks run ({@code VIGIL_ALERT_TICK}, default 60 s)
 * @param feedHeartbeat  how often an idle SSE feed sends a comment line so proxies keep it open
 *                       ({@code VIGIL_ALERT_FEED_HEARTBEAT})
 * @param escalateAfter  how long a critical alert may stay unacknowledged before it is re-sent to the responsible
 *                       doctor and escalated one tier up; again after each further interval
 *                       ({@code VIGIL_ESCALATE_AFTER}, default 15 minutes)
 * @param escalationSweep how often unacknowledged alerts are looked for ({@code VIGIL_ESCALATION_SWEEP})
 * @param resumeSweep    how often ingest log streams whose writer stopped (on any node sharing the database) are
 *                       looked for, and their unevaluated readings' patients rebuilt ({@code VIGIL_RESUME_SWEEP},
 *                       default 30 s; a sweep also runs at start)
 * @param stateSave      how often the engine state of patients evaluated since is saved, for the node that takes them
 *                       over next in cluster mode, for this node after a restart without Kafka
 *                       ({@code VIGIL_ENGINE_STATE_SAVE}, default 5 minutes): at most that much of their readings is
 *                       replayed on top of it
 * @param nodeId         this node's name ({@code VIGIL_NODE_ID}): without Kafka, the state it saves is its own
 * @param webhooks       webhook delivery of alert events to organisations ({@code VIGIL_WEBHOOK_*})
 */
public record AlertingConfig(ClinicalRulesConfig clinicalRules, Duration tickInterval, Duration feedHeartbeat,
        Duration escalateAfter, Duration escalationSweep, Duration resumeSweep, Duration stateSave, String nodeId,
        WebhookConfig webhooks) {

    public static final String TICK = "VIGIL_ALERT_TICK";
    public static final String FEED_HEARTBEAT = "VIGIL_ALERT_FEED_HEARTBEAT";
    public static final String ESCALATE_AFTER = "VIGIL_ESCALATE_AFTER";
    public static final String ESCALATION_SWEEP = "VIGIL_ESCALATION_SWEEP";
    public static final String RESUME_SWEEP = "VIGIL_RESUME_SWEEP";
    public static final String STATE_SAVE = "VIGIL_ENGINE_STATE_SAVE";
    /** Retired with the threshold-only evaluator; refused so that an operator's edited rules are not ignored. */
    public static final String RETIRED_RULES_FILE = "VIGIL_ALERT_RULES_FILE";

    public static AlertingConfig from(Settings settings) {
        if (settings.optional(RETIRED_RULES_FILE).isPresent()) {
            throw new ConfigException(RETIRED_RULES_FILE, "is retired: the threshold rules are part of the clinical rules;"
                    + " point " + ClinicalRulesConfig.RULES_FILE + " at an edited copy of clinical-rules.json");
        }
        Duration tick = settings.duration(TICK, Duration.ofSeconds(60), Duration.ofMillis(10));
        Duration heartbeat = settings.duration(FEED_HEARTBEAT, Duration.ofSeconds(15), Duration.ofMillis(10));
        Duration escalateAfter = settings.duration(ESCALATE_AFTER, Duration.ofMinutes(15));
        if (escalateAfter.toSeconds() < 1) {
            throw new ConfigException(ESCALATE_AFTER, "must be at least one second");
        }
        Duration sweep = settings.duration(ESCALATION_SWEEP, Duration.ofSeconds(30), Duration.ofMillis(10));
        Duration resume = settings.duration(RESUME_SWEEP, Duration.ofSeconds(30), Duration.ofMillis(100));
        Duration stateSave = settings.duration(STATE_SAVE, Duration.ofMinutes(5), Duration.ofMillis(100));
        return new AlertingConfig(ClinicalRulesConfig.from(settings), tick, heartbeat, escalateAfter, sweep, resume,
                stateSave, settings.nodeId(), WebhookConfig.from(settings));
    }
}
