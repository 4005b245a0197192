package org.vigil.alerting.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.vigil.common.model.Severity;

/**
 * What alerting counts, in Micrometer; meters are registered once. Alerts opened are counted by rule and severity;
 * the configured rules are registered at start, so each reads 0 before its first alert.
 */
public final class AlertingMetrics {

    public static final String READINGS_EVALUATED = "vigil.alerts.readings.evaluated";
    public static final String ALERTS_OPENED = "vigil.alerts.opened";
    public static final String ALERTS_ESCALATED = "vigil.alerts.escalated";
    public static final String ALERTS_RESOLVED = "vigil.alerts.resolved";
    public static final String FLAPS_SUPPRESSED = "vigil.alerts.flaps.suppressed";
    /** Patients rebuilt, {@code from} their stored readings ({@code history}) or saved engine state ({@code saved}). */
    public static final String PATIENTS_REBUILT = "vigil.alerts.patients.rebuilt";
    /** Cluster mode: engine state saved per patient, and its bytes, so that the next owner need not replay weeks. */
    public static final String STATES_SAVED = "vigil.alerts.engine.states.saved";
    public static final String STATE_BYTES_SAVED = "vigil.alerts.engine.state.bytes.saved";
    /** Cluster mode: saved engine state that could not be used (damaged): the patient was rebuilt from her history. */
    public static final String STATES_REFUSED = "vigil.alerts.engine.states.refused";
    public static final String STATE_SAVE_FAILURES = "vigil.alerts.engine.state.save.failures";
    /** Ingest log streams whose writer stopped, evaluated from storage to their end. */
    public static final String STREAMS_RESUMED = "vigil.alerts.streams.resumed";
    public static final String ALERTS_REMINDED = "vigil.alerts.reminded";
    public static final String ALERTS_TIER_ESCALATED = "vigil.alerts.tier.escalated";
    public static final String ALERTS_REROUTED = "vigil.alerts.rerouted";
    public static final String PROFILES_RELOADED = "vigil.alerts.profiles.reloaded";
    public static final String RECORD_FAILURES = "vigil.alerts.record.failures";
    /** Cluster mode: stored batches whose hand-off to the readings topic failed and is tried again. */
    public static final String HANDOFF_FAILURES = "vigil.alerts.handoff.failures";
    /** Cluster mode: records of the readings topic already evaluated here (a replay), not evaluated again. */
    public static final String RECORDS_SKIPPED = "vigil.alerts.records.skipped";
    /**
     * Cluster mode: stored batches waiting for the brokers' acknowledgement. It grows while Kafka is unreachable
     * (they wait in memory and are retried): the number to alert on before memory runs short.
     */
    public static final String HANDOFF_PENDING = "vigil.alerts.handoff.pending";
    public static final String HANDOFF_SPILLED = "vigil.alerts.handoff.spilled";
    public static final String FEED_SUBSCRIBERS = "vigil.alerts.feed.subscribers";
    /** Webhook delivery attempts by outcome ({@code delivered}: a 2xx answer; {@code failed}: anything else). */
    public static final String WEBHOOK_DELIVERIES = "vigil.webhook.deliveries";
    /** Webhook outbox rows not yet delivered, all organisations, as this node last counted them. */
    public static final String WEBHOOK_BACKLOG = "vigil.webhook.backlog";
    /** From an alert's opening to a doctor's acknowledgement, by severity. */
    public static final String TIME_TO_ACKNOWLEDGE = "vigil.alerts.time.to.acknowledge";
    private static final Duration[] ACKNOWLEDGE_BUCKETS = {Duration.ofMinutes(1), Duration.ofMinutes(5),
            Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4),
            Duration.ofHours(8), Duration.ofHours(24)};

    private record RuleSeverity(String rule, Severity severity) {
    }

    private final MeterRegistry registry;
    private final Counter evaluated;
    private final Map<RuleSeverity, Counter> opened = new ConcurrentHashMap<>();
    private final Map<Severity, Timer> timeToAcknowledge = new EnumMap<>(Severity.class);
    private final Counter escalated;
    private final Counter resolvedAutomatically;
    private final Counter resolvedByDoctor;
    private final Counter flapsSuppressed;
    private final Counter patientsRebuilt;
    private final Counter patientsResumed;
    private final Counter statesSaved;
    private final Counter stateBytesSaved;
    private final Counter statesRefused;
    private final Counter stateSaveFailures;
    private final Counter streamsResumed;
    private final Counter recordFailures;
    private final Counter handoffFailures;
    private final Counter handoffSpilled;
    private final Counter recordsSkipped;
    private final Counter profilesReloaded;
    private final Counter reminded;
    private final Counter rerouted;
    private final Counter tierEscalated;
    private final AtomicInteger subscribers = new AtomicInteger();
    private final AtomicInteger handoffPending = new AtomicInteger();
    private final Counter webhooksDelivered;
    private final Counter webhooksFailed;
    private final AtomicLong webhookBacklog = new AtomicLong();

    public AlertingMetrics(MeterRegistry registry) {
        this(registry, List.of());
    }

    /** @param ruleIds the configured rules, whose alerts opened are exported from the start */
    public AlertingMetrics(MeterRegistry registry, Collection<String> ruleIds) {
        this.registry = registry;
        evaluated = counter(READINGS_EVALUATED, "Stored readings evaluated against the alert rules");
        for (String rule : ruleIds) {
            for (Severity s : Severity.values()) {
                openedCounter(rule, s);
            }
        }
        for (Severity s : Severity.values()) {
            timeToAcknowledge.put(s, Timer.builder(TIME_TO_ACKNOWLEDGE)
                    .description("Time from an alert's opening to its acknowledgement by a doctor, by severity")
                    .tag("severity", s.wireName()).serviceLevelObjectives(ACKNOWLEDGE_BUCKETS).register(registry));
        }
        escalated = counter(ALERTS_ESCALATED, "Open alerts that became more severe");
        resolvedAutomatically = counter(ALERTS_RESOLVED, "Alerts resolved, by whom", "by", "engine");
        resolvedByDoctor = counter(ALERTS_RESOLVED, "Alerts resolved, by whom", "by", "doctor");
        flapsSuppressed = counter(FLAPS_SUPPRESSED,
                "Alert episodes kept active without notifying because they were flapping");
        String rebuilt = "Patients whose rule state was rebuilt, from stored readings or saved engine state, and alerts";
        patientsRebuilt = counter(PATIENTS_REBUILT, rebuilt, "from", "history");
        patientsResumed = counter(PATIENTS_REBUILT, rebuilt, "from", "saved");
        statesSaved = counter(STATES_SAVED,
                "Patients' engine state saved for their next load (after a restart, or by their partition's next owner)");
        stateBytesSaved = counter(STATE_BYTES_SAVED, "Bytes of engine state saved");
        statesRefused = counter(STATES_REFUSED,
                "Saved engine state that could not be used: the patient was rebuilt from her history instead");
        stateSaveFailures = counter(STATE_SAVE_FAILURES,
                "Attempts to save engine state that failed (the patients are saved again next time)");
        streamsResumed = counter(STREAMS_RESUMED,
                "Ingest log streams whose writer stopped, evaluated from storage to their end");
        recordFailures = counter(RECORD_FAILURES, "Attempts to record alert signals that failed");
        handoffFailures = counter(HANDOFF_FAILURES,
                "Stored batches whose hand-off to the readings topic failed and is tried again");
        handoffSpilled = counter(HANDOFF_SPILLED,
                "Stored readings not held in memory while hand-offs waited for the brokers, handed over from storage"
                        + " later (cluster mode)");
        recordsSkipped = counter(RECORDS_SKIPPED,
                "Records of the readings topic already evaluated or read as history, not evaluated again");
        profilesReloaded = counter(PROFILES_RELOADED,
                "Patient profiles reloaded after a registry change (care plan, conditions, contract)");
        rerouted = counter(ALERTS_REROUTED, "Active alerts moved to the doctor responsible after a contract change");
        reminded = counter(ALERTS_REMINDED,
                "Unacknowledged critical alerts re-sent to the responsible doctor with no tier left above");
        tierEscalated = counter(ALERTS_TIER_ESCALATED,
                "Unacknowledged critical alerts escalated one tier up (and re-sent to the responsible doctor)");
        registry.gauge(FEED_SUBSCRIBERS, subscribers);
        Gauge.builder(HANDOFF_PENDING, handoffPending, AtomicInteger::get)
                .description("Stored batches waiting for the brokers to acknowledge their hand-off (cluster mode)")
                .register(registry);
        webhooksDelivered = counter(WEBHOOK_DELIVERIES,
                "Webhook delivery attempts, by outcome", "outcome", "delivered");
        webhooksFailed = counter(WEBHOOK_DELIVERIES, "Webhook delivery attempts, by outcome", "outcome", "failed");
        // Counted by the dispatcher on its poll, so a scrape (on an event loop) never waits for the database.
        Gauge.builder(WEBHOOK_BACKLOG, webhookBacklog, AtomicLong::get)
                .description("Webhook outbox rows not yet delivered").register(registry);
    }

    public void rerouted() {
        rerouted.increment();
    }

    public void reminded() {
        reminded.increment();
    }

    public void escalatedToTier() {
        tierEscalated.increment();
    }

    public void profileReloaded() {
        profilesReloaded.increment();
    }

    public void evaluated(int readings) {
        evaluated.increment(readings);
    }

    public void opened(String rule, Severity severity) {
        openedCounter(rule, severity).increment();
    }

    /** A counter with its description and tags ({@code key, value, ...}), registered once. */
    private Counter counter(String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    private Counter openedCounter(String rule, Severity severity) {
        return opened.computeIfAbsent(new RuleSeverity(rule, severity), k -> Counter.builder(ALERTS_OPENED)
                .description("Alerts opened, by rule and severity")
                .tag("rule", k.rule()).tag("severity", k.severity().wireName()).register(registry));
    }

    /** A doctor acknowledged an alert {@code waited} after it opened. */
    public void acknowledged(Severity severity, Duration waited) {
        timeToAcknowledge.get(severity).record(waited.isNegative() ? Duration.ZERO : waited);
    }

    public void escalated() {
        escalated.increment();
    }

    public void resolved(boolean automatically) {
        (automatically ? resolvedAutomatically : resolvedByDoctor).increment();
    }

    public void flapSuppressed() {
        flapsSuppressed.increment();
    }

    /** @param fromSaved from saved engine state, not her whole history */
    public void patientRebuilt(boolean fromSaved) {
        (fromSaved ? patientsResumed : patientsRebuilt).increment();
    }

    public void statesSaved(int patients, long bytes) {
        statesSaved.increment(patients);
        stateBytesSaved.increment(bytes);
    }

    public void savedStateRefused() {
        statesRefused.increment();
    }

    public void stateSaveFailed() {
        stateSaveFailures.increment();
    }

    public void streamsResumed(int count) {
        streamsResumed.increment(count);
    }

    public void recordFailed() {
        recordFailures.increment();
    }

    public void handoffFailed() {
        handoffFailures.increment();
    }

    public void handoffSpilled(int readings) {
        handoffSpilled.increment(readings);
    }

    /** A hand-off began ({@code +1}) or ended ({@code -1}). */
    public void handoffPending(int delta) {
        handoffPending.addAndGet(delta);
    }

    public void recordSkipped() {
        recordsSkipped.increment();
    }

    public void subscriberAdded() {
        subscribers.incrementAndGet();
    }

    public void subscriberRemoved() {
        subscribers.decrementAndGet();
    }

    public void webhookDelivered() {
        webhooksDelivered.increment();
    }

    public void webhookFailed() {
        webhooksFailed.increment();
    }

    public void webhookBacklog(long rows) {
        webhookBacklog.set(rows);
    }
}
