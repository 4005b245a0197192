/**
 * The clinical rule engine: pure evaluation of readings into alert episodes, with no Vert.x, no JDBC and no clock
 * of its own.
 *
 * <h2>Using it</h2>
 * One {@link org.vigil.alerting.clinical.ClinicalEngine} per event-loop thread, owning the patients of its
 * partition. The caller (the alerting verticle):
 * <ol>
 *   <li>builds it from {@code ClinicalRulesConfig.from(settings).rules()};</li>
 *   <li>at start, for each patient: {@code rebuild(profile, readingsOfLast(engine.historyNeeded()), knownAlerts,
 *       now)}, recording the (rare) signals it returns;</li>
 *   <li>for each stored batch, grouped by patient: {@code onReadings(profile, readings, receivedAt)};</li>
 *   <li>from the MQTT endpoint: {@code onConnectionState(patientId, deviceId, connected, at)};</li>
 *   <li>every minute: {@code onTick(now)};</li>
 *   <li>when a doctor resolves an alert: {@code onAlertResolved(patientId, rule)}; when a care plan changes:
 *       {@code track(profile)};</li>
 * </ol>
 * and turns each {@link org.vigil.alerting.clinical.AlertSignal} into an alert write: {@code OPEN} creates the
 * episode's alert, {@code UPDATE} / {@code FLAP_SUPPRESSED} update it (creating it if none is active),
 * {@code WORSEN} escalates it, {@code BACK_IN_RANGE} marks it back in range and leaves it active for a doctor,
 * {@code RECUR} tells the doctor again that its condition came back, {@code CLEAR} resolves it (only severities
 * the rules let clear themselves); only {@code OPEN}, {@code WORSEN} and {@code RECUR} notify a doctor. Every
 * signal carries the episode's headline, its worst observation, which the alert leads with.
 *
 * <h2>Design</h2>
 * <ul>
 *   <li><b>Rules are data.</b> {@link org.vigil.alerting.clinical.RuleSpec} records, each with its clinical
 *       source, compiled into package-private rules; each rule binds to a patient as a
 *       {@code Detector} holding the patient's parameters (condition variant, care-plan override) and state.</li>
 *   <li><b>Moments.</b> Readings are evaluated in measurement order, grouped by device and instant, so a
 *       blood-pressure pair is one observation.</li>
 *   <li><b>Spot and stream.</b> Each reading is classified per device and metric; threshold rules and NEWS2 see
 *       spot measurements, sustained and window rules see everything.</li>
 *   <li><b>Episodes.</b> {@code Episode} is the lifecycle state machine (repeat, worsen, hysteresis, flapping,
 *       back in range awaiting a doctor, dormant after a doctor's resolution), the same for every rule; missing
 *       data has its own simpler one.</li>
 *   <li><b>Memory.</b> Bounded per patient whatever the stream rate: runs and latest values are a few numbers,
 *       windows are bucketed primitive rings ({@code AggregateRing}) no longer than their window plus the late
 *       horizon. Nothing is kept per reading, and nothing is static and mutable.</li>
 * </ul>
 */
package org.vigil.alerting.clinical;
