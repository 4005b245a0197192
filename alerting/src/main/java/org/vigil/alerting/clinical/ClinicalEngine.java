package org.vigil.alerting.clinical;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.vigil.common.model.Reading;

/**
 * The clinical rule engine of Vigil: turns readings, device connection changes and the passing of time into
 * {@link AlertSignal}s, one alert episode per patient and rule. Pure: no I/O, no Vert.x, no clock of its own;
 * time comes from the readings' measurement times and the instants the caller passes.
 *
 * <p><b>Threading.</b> Not thread-safe: one instance is confined to one thread (an event loop) and owns the state
 * of many patients. All state is keyed by patient, so patients can be partitioned across instances.
 *
 * <p><b>Ordering.</b> Readings handed over together are evaluated in measurement-time order, grouped into
 * moments (one device, one instant: a cuff's systolic, diastolic and pulse are one observation). Windows are
 * kept in measurement time and stay exact when readings arrive out of order; an out-of-order reading can open
 * or worsen an alert but never clears one. Signals raised from data received more than {@code lateAfter} after
 * it was measured, or older than data already evaluated, carry {@code late = true}. A reading that repeats the
 * device's newest one for its metric (same instant: a redelivered message) is dropped.
 *
 * <p><b>Who closes an alert.</b> Each rule's lifecycle says which severities clear themselves once back in
 * range ({@link LifecycleSettings#autoClear()}, by default warnings only). An episode that reached another
 * severity is marked back in range and stays open until a doctor resolves it ({@link #onAlertResolved}); its
 * signals carry the worst observation as the alert's headline, never the reading that brought it back.
 *
 * <p><b>Memory.</b> Bounded per patient, independent of stream rate: sustained rules keep a run (four numbers),
 * NEWS2 five latest values, window rules bucketed primitive rings no longer than their window plus
 * {@code lateHorizon} (at most one bucket per bucket width, and only where readings fell), devices a few
 * numbers each. Nothing is kept per reading.
 *
 * <p><b>Restart.</b> {@link #rebuild} restores a patient from stored readings and the alert store's view, so
 * that nothing already signalled is signalled again (see there). {@link #historyNeeded()} says how much
 * history to load. {@link #saveState} and {@link #resume} do the same from a patient's state as bytes and the
 * readings stored after it: for a wearer, kilobytes and minutes of readings instead of weeks of them.
 */
public final class ClinicalEngine {

    /**
     * The order readings are evaluated in: by measurement time, a moment's readings by device. Written out rather
     * than composed from key extractors: a node given partitions sorts millions of readings while its JIT is cold.
     */
    public static final Comparator<Reading> MEASUREMENT_ORDER = (a, b) -> a.measuredAt() != b.measuredAt()
            ? Long.compare(a.measuredAt(), b.measuredAt()) : Long.compare(a.deviceId(), b.deviceId());

    private final RuleSet ruleSet;
    private final Rule[] rules;
    private final long streamGap;
    private final long lateAfter;
    private final long lateHorizon;
    private final EngineState states;
    private final Map<Long, PatientState> patients = new LinkedHashMap<>();
    private final MomentLoop loop;
    private final List<AlertSignal> out = new ArrayList<>();

    public ClinicalEngine(ClinicalRules config) {
        this.ruleSet = new RuleSet(config);
        this.rules = ruleSet.rules;
        this.streamGap = config.streamGap().toMillis();
        this.lateAfter = config.lateAfter().toMillis();
        this.lateHorizon = config.lateHorizon().toMillis();
        this.states = new EngineState(config, rules);
        this.loop = new MomentLoop(rules, streamGap, lateAfter);
    }

    /**
     * Checks a care plan against the rules: every override must name a threshold or sustained rule, and a
     * sustained rule's override must be one band on the rule's metric. Call it where care plans are saved; the
     * engine calls it too and throws {@link IllegalArgumentException} rather than silently ignore an override.
     */
    public void validate(PatientProfile profile) {
        ruleSet.validate(profile);
    }

    /**
     * Registers a patient or follows a changed profile, so that missing data is watched even before the first
     * reading. Rules that no longer apply close their open episodes (returned as {@code CLEAR}).
     */
    public List<AlertSignal> track(PatientProfile profile) {
        ruleSet.bind(state(profile.patientId()), profile, true, out);
        return drain();
    }

    /** {@link #onReadings} for one reading. */
    public List<AlertSignal> onReading(PatientProfile profile, Reading reading, Instant receivedAt) {
        return onReadings(profile, List.of(reading), receivedAt);
    }

    /**
     * Evaluates readings of one patient, received together (one message or one stored batch), in measurement
     * order. Pass all values of a message together so that a blood-pressure pair is one observation.
     *
     * @throws IllegalArgumentException if a reading belongs to another patient, or the profile's care plan is
     *                                  invalid (see {@link #validate}); nothing is evaluated then
     */
    public List<AlertSignal> onReadings(PatientProfile profile, List<Reading> readings, Instant receivedAt) {
        Objects.requireNonNull(receivedAt, "receivedAt");
        checkOwner(profile, readings);
        PatientState ps = state(profile.patientId());
        ruleSet.bind(ps, profile, true, out);
        if (!readings.isEmpty()) {
            loop.process(ps, readings, receivedAt.toEpochMilli(), false, PatientState.NONE, out);
        }
        return drain();
    }

    /**
     * A device connected or disconnected (from the MQTT endpoint). Used to tell a silent device from a patient
     * who did not measure; a reading also counts as contact.
     */
    public void onConnectionState(long patientId, long deviceId, boolean connected, Instant at) {
        state(patientId).devices.onConnection(deviceId, connected, at.toEpochMilli());
    }

    /**
     * Time-based checks at {@code now}: opens adherence alerts for expected measurements that are overdue,
     * notes when their cause changes (device silent / connected but not measured), clears those that are no
     * longer overdue. Call it periodically (every minute is plenty); patients with nothing due are skipped in
     * O(1) each.
     */
    public List<AlertSignal> onTick(Instant now) {
        long t = now.toEpochMilli();
        for (PatientState ps : patients.values()) {
            if (ps.missing != null) {
                ps.missing.tick(t, ps.newestAt, ps.devices, out);
            }
        }
        return drain();
    }

    /**
     * A doctor resolved the patient's alert for the rule. If its condition still holds the engine stays quiet
     * until it clears or becomes more severe, instead of reopening on the next reading.
     */
    public void onAlertResolved(long patientId, String ruleId) {
        PatientState ps = patients.get(patientId);
        if (ps == null) {
            return;
        }
        Integer index = ruleSet.index(ruleId);
        if (index != null) {
            if (ps.episodes[index] != null) {
                ps.episodes[index].resolvedByDoctor(rules[index].policy);
            }
        } else if (ps.missing != null) {
            ps.missing.resolved(ruleId);
        }
    }

    /**
     * Restores one patient after a restart, or after a partition moved here, from stored readings, without
     * signalling again what was already signalled.
     *
     * <p>The history is replayed silently through the rules, which rebuilds windows, runs and episodes as of
     * the newest reading. It starts at the cut of the lookback ({@code now - historyNeeded()}): readings before
     * the cut only date missing data, and devices are classified as the live engine knew them, not as a history
     * that starts mid-stream or between a wearable's sessions would suggest (see {@code MomentLoop.process}). The
     * result is then reconciled with the alert store, which is the record of what doctors were told:
     * <ul>
     *   <li>replay open, store active: kept open at the stored severity, silently; if the replay reached a worse
     *       severity than the store knows, that escalation was lost and a {@code WORSEN} is returned; if the
     *       replay marked it back in range after the store's last signal, a {@code BACK_IN_RANGE};</li>
     *   <li>replay open, store resolved after the episode began: the doctor resolved it; it goes dormant
     *       (quiet until it clears or worsens);</li>
     *   <li>replay open, store unaware: the alert was never recorded (a crash between storing readings and
     *       recording the alert); an {@code OPEN} is returned (and a {@code BACK_IN_RANGE} if it was marked);</li>
     *   <li>replay closed, store active: kept open (clearing needs new evidence), unless the replay cleared it
     *       after the store's last signal: then a {@code CLEAR} if the stored severity may clear itself, else it
     *       stays open, marked back in range ({@code BACK_IN_RANGE}): a critical alert is never cleared by a
     *       replay, only by a doctor;</li>
     *   <li>missing data: adopted if active and still overdue, cleared if data arrived, dormant if resolved.</li>
     * </ul>
     * Every returned signal is {@code late}. Connection state is not in the history: devices reconnect after a
     * restart and report through {@link #onConnectionState}.
     *
     * @param history  the patient's readings of at least the last {@link #historyNeeded()} before {@code now},
     *                 plus, for each expected metric, its newest reading if older; any order
     * @param known    for each rule, the newest alert of this patient that is active or was resolved within
     *                 the history: passing resolved ones too is what prevents a re-notification
     * @param now      the current time
     */
    public List<AlertSignal> rebuild(PatientProfile profile, List<Reading> history, Collection<KnownAlert> known,
                                     Instant now) {
        Objects.requireNonNull(now, "now");
        checkOwner(profile, history);
        validate(profile);
        PatientState old = patients.remove(profile.patientId());
        PatientState ps = new PatientState(profile.patientId(), rules.length, old != null ? old.devices : new Devices());
        patients.put(profile.patientId(), ps);
        ruleSet.bind(ps, profile, false, out);
        if (!history.isEmpty()) {
            List<Reading> ordered = MomentLoop.inMeasurementOrder(history);
            ps.devices.learnStreamers(ordered, streamGap);
            loop.process(ps, ordered, 0, true, now.toEpochMilli() - ruleSet.historyNeeded.toMillis(), out);
        }
        Reconciliation.reconcile(rules, ps, known, now.toEpochMilli(), out);
        return drain();
    }

    /**
     * The patient's state as bytes, for {@link #resume} on this or another node, or {@code null} if she is not
     * held. Quick (a wearer's windows are some ten kilobytes): call it on the engine's thread.
     */
    public byte[] saveState(long patientId) {
        PatientState ps = patients.get(patientId);
        return ps == null ? null : states.save(ps);
    }

    /**
     * Restores a patient from state {@link #saveState saved} earlier instead of replaying her whole history: the
     * saved state, then {@code tail} (her stored readings the saved state had not taken in) replayed silently, then
     * reconciled with the alert store as {@link #rebuild} does, with the same signals.
     *
     * <p>State saved by other rules or another version, or damaged, does not fit: then nothing changes and the
     * result is empty, and the caller rebuilds her from her history. Connection state reported since
     * ({@link #onConnectionState}) is kept when newer than the saved.
     *
     * @param tail readings stored after the state was saved (measured no earlier than {@link #lateHorizon()} before
     *             it was saved: older ones no longer change windows), any order
     * @return the signals, or empty when the state does not fit
     */
    public Optional<List<AlertSignal>> resume(PatientProfile profile, byte[] state, List<Reading> tail,
                                              Collection<KnownAlert> known, Instant now) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(now, "now");
        checkOwner(profile, tail);
        validate(profile);
        PatientState ps = new PatientState(profile.patientId(), rules.length, new Devices());
        ruleSet.bind(ps, profile, false, out);
        Devices devices;
        try {
            devices = states.restore(ps, state);
        } catch (IOException | RuntimeException e) {
            out.clear();
            return Optional.empty();
        }
        PatientState old = patients.remove(profile.patientId());
        if (old != null) {
            devices.adoptConnections(old.devices);
        }
        ps.devices = devices;
        patients.put(profile.patientId(), ps);
        if (!tail.isEmpty()) {
            loop.process(ps, tail, 0, true, PatientState.NONE, out);
        }
        Reconciliation.reconcile(rules, ps, known, now.toEpochMilli(), out);
        return Optional.of(drain());
    }

    /** What state saved by this engine is marked with: the rules and the code that wrote it. */
    public long stateFingerprint() {
        return states.fingerprint();
    }

    /** How late a reading may come and still change the windows: saved state needs no older tail than this. */
    public Duration lateHorizon() {
        return Duration.ofMillis(lateHorizon);
    }

    /** Drops a patient's state (discharged, or moved to another partition). */
    public void forget(long patientId) {
        patients.remove(patientId);
    }

    /** How much history {@link #rebuild} needs: the longest lookback of any rule, including the late horizon. */
    public Duration historyNeeded() {
        return ruleSet.historyNeeded;
    }

    public int patientCount() {
        return patients.size();
    }

    /** Clear-and-reopen cycles suppressed because episodes were flapping, since this engine started. */
    public long flapsSuppressed() {
        return loop.flapsSuppressed();
    }

    private PatientState state(long patientId) {
        PatientState ps = patients.get(patientId);
        if (ps == null) {
            ps = new PatientState(patientId, rules.length, new Devices());
            patients.put(patientId, ps);
        }
        return ps;
    }

    private static void checkOwner(PatientProfile profile, List<Reading> readings) {
        Objects.requireNonNull(profile, "profile");
        for (Reading r : readings) {
            if (r.patientId() != profile.patientId()) {
                throw new IllegalArgumentException("reading of patient " + r.patientId() + " handed over with patient "
                        + profile.patientId());
            }
        }
    }

    private List<AlertSignal> drain() {
        if (out.isEmpty()) {
            return List.of();
        }
        List<AlertSignal> signals = List.copyOf(out);
        out.clear();
        return signals;
    }
}
