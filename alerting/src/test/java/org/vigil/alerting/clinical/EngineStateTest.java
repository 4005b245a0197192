package org.vigil.alerting.clinical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vigil.alerting.clinical.Fixtures.T0;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.alerting.clinical.Fixtures.AlertStore;
import org.vigil.common.model.Condition;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;
import org.vigil.common.model.Severity;

/**
 * Saved engine state: a patient resumed from it on another engine behaves exactly as on the engine that saved her,
 * over three weeks of every kind of reading a home monitors (spot and streaming, late and out of order), with
 * connection changes, ticks and doctors resolving alerts, whichever moment the state was saved at.
 */
@Timeout(60)
class EngineStateTest {

    private static final long PATIENT = 70;
    private static final long CUFF = 1;
    private static final long METER = 2;
    private static final long THERMOMETER = 3;
    private static final long OXIMETER = 4;
    private static final long SCALE = 5;
    private static final long WATCH = 7;
    private static final PatientProfile PROFILE = PatientProfile.of(PATIENT, T0, Condition.HYPERTENSION,
                    Condition.DIABETES, Condition.COPD, Condition.HEART_FAILURE)
            .expecting(ExpectedMeasurement.every(Metric.SYSTOLIC_BP, Duration.ofDays(1)),
                    ExpectedMeasurement.every(Metric.GLUCOSE, Duration.ofHours(12)));

    /** What happens to the patient, in the order it reaches the engine. */
    private sealed interface Event {
        Instant at();
    }

    private record Readings(Instant at, List<Reading> readings) implements Event {
    }

    private record Tick(Instant at) implements Event {
    }

    private record Connection(Instant at, long device, boolean connected) implements Event {
    }

    private record Resolve(Instant at) implements Event {
    }

    private static List<Event> threeWeeks(long seed) {
        Random random = new Random(seed);
        List<Event> events = new ArrayList<>();
        for (int day = 0; day < 21; day++) {
            Instant midnight = T0.plus(Duration.ofDays(day));
            boolean crisisDay = random.nextInt(5) == 0;
            for (int hour = 0; hour < 24; hour++) {
                Instant h = midnight.plus(Duration.ofHours(hour));
                if (hour == 7 || hour == 19) {
                    double sys = crisisDay && hour == 19 ? 185 + random.nextInt(20) : 125 + random.nextInt(40);
                    if (random.nextInt(7) > 0) {
                        events.add(new Connection(h.minusSeconds(30), CUFF, true));
                        events.add(moment(h, CUFF, Metric.SYSTOLIC_BP, sys, Metric.DIASTOLIC_BP, 80 + random.nextInt(25),
                                Metric.HEART_RATE, 60 + random.nextInt(40)));
                        events.add(new Connection(h.plusSeconds(60), CUFF, false));
                    }
                }
                if (hour == 7 || hour == 12 || hour == 18) {
                    double glucose = random.nextInt(9) == 0 ? 2.6 + random.nextDouble() : 4 + random.nextDouble() * 9;
                    if (random.nextInt(6) > 0) {
                        events.add(moment(h.plusSeconds(600), METER, Metric.GLUCOSE, glucose));
                    }
                }
                if (hour == 8 && random.nextInt(4) > 0) {
                    double weight = 70 + day * (day > 8 && day < 13 ? 0.9 : 0.05) + random.nextDouble() * 0.3;
                    events.add(moment(h, SCALE, Metric.BODY_WEIGHT, weight));
                }
                if (crisisDay && hour == 19) {
                    // A feverish evening: thermometer and fingertip oximeter, spot readings NEWS2 scores.
                    events.add(moment(h.plusSeconds(300), THERMOMETER, Metric.BODY_TEMP, 38.9));
                    events.add(moment(h.plusSeconds(600), OXIMETER, Metric.SPO2, 88 + random.nextInt(3),
                            Metric.HEART_RATE, 132 + random.nextInt(10)));
                }
                if (hour == 21 && random.nextInt(5) == 0) {
                    events.add(moment(h, THERMOMETER, Metric.BODY_TEMP, 36.5 + random.nextDouble() * 3.5));
                }
                // The watch: a sample every 5 minutes, a 1 Hz-ish burst now and then, SpO2 sagging on some days.
                for (int minute = 0; minute < 60; minute += 5) {
                    Instant m = h.plus(Duration.ofMinutes(minute));
                    double spo2 = (day > 15 ? 90 : 95) + random.nextInt(4) - (random.nextInt(40) == 0 ? 8 : 0);
                    double hr = 70 + random.nextInt(20) + (crisisDay && hour > 12 && hour < 15 ? 60 : 0);
                    events.add(moment(m, WATCH, Metric.HEART_RATE, hr, Metric.SPO2, spo2));
                }
                if (random.nextInt(24) == 0) {
                    for (int s = 0; s < 30; s++) {
                        Instant b = h.plus(Duration.ofMinutes(31)).plusSeconds(2L * s);
                        events.add(moment(b, WATCH, Metric.HEART_RATE, 120 + random.nextInt(30), Metric.SPO2,
                                86 + random.nextInt(5)));
                    }
                }
                events.add(new Tick(h.plus(Duration.ofMinutes(59))));
                if (random.nextInt(30) == 0) {
                    events.add(new Resolve(h.plus(Duration.ofMinutes(58))));
                }
            }
        }
        events.sort((a, b) -> a.at().compareTo(b.at()));
        // Some readings reach the engine hours late: a glucometer synced the next morning.
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) instanceof Readings r && r.readings().get(0).metric() == Metric.GLUCOSE
                    && random.nextInt(5) == 0) {
                Instant late = r.at().plus(Duration.ofHours(3 + random.nextInt(10)));
                events.remove(i);
                int j = i;
                while (j < events.size() && events.get(j).at().isBefore(late)) {
                    j++;
                }
                events.add(j, new Readings(late, r.readings()));
            }
        }
        return events;
    }

    private static Readings moment(Instant at, long device, Object... metricValues) {
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i < metricValues.length; i += 2) {
            readings.add(new Reading(device, PATIENT, (Metric) metricValues[i], at.toEpochMilli(),
                    ((Number) metricValues[i + 1]).doubleValue()));
        }
        return new Readings(at, readings);
    }

    /** A new engine that has been through the first {@code n} events, its signals recorded in {@code store}. */
    private static ClinicalEngine through(List<Event> events, int n, AlertStore store) {
        ClinicalEngine engine = new ClinicalEngine(Fixtures.defaults());
        events.subList(0, n).forEach(e -> apply(engine, store, e));
        return engine;
    }

    private static List<AlertSignal> apply(ClinicalEngine engine, AlertStore store, Event event) {
        return apply(engine, store, event, PROFILE);
    }

    private static List<AlertSignal> apply(ClinicalEngine engine, AlertStore store, Event event, PatientProfile profile) {
        List<AlertSignal> signals = switch (event) {
            case Readings r -> engine.onReadings(profile, r.readings(), r.at());
            case Tick t -> engine.onTick(t.at());
            case Connection c -> {
                engine.onConnectionState(PATIENT, c.device(), c.connected(), c.at());
                yield List.of();
            }
            case Resolve r -> {
                String rule = store.resolveOne();
                if (rule != null) {
                    engine.onAlertResolved(PATIENT, rule);
                }
                yield List.of();
            }
        };
        store.record(signals);
        return signals;
    }

    @Test
    void aResumedPatientSignalsNothingAndThenExactlyWhatTheEngineThatSavedHerWould() {
        for (long seed = 1; seed <= 3; seed++) {
            List<Event> events = threeWeeks(seed);
            List<AlertSignal> whole = new ArrayList<>();
            ClinicalEngine uninterrupted = new ClinicalEngine(Fixtures.defaults());
            AlertStore reference = new AlertStore();
            events.forEach(e -> whole.addAll(apply(uninterrupted, reference, e)));
            assertThat(whole).extracting(AlertSignal::ruleId).contains("blood_pressure_high", "glucose_low",
                    "missing_glucose", "heart_rate_high_sustained", "weight_gain", "spo2_baseline_drop", "news2");

            for (int split : new int[] {events.size() / 5, events.size() / 2, events.size() * 4 / 5}) {
                ClinicalEngine first = new ClinicalEngine(Fixtures.defaults());
                AlertStore store = new AlertStore();
                List<AlertSignal> signals = new ArrayList<>();
                for (Event e : events.subList(0, split)) {
                    signals.addAll(apply(first, store, e));
                }
                byte[] state = first.saveState(PATIENT);

                ClinicalEngine next = new ClinicalEngine(Fixtures.defaults());
                assertThat(next.resume(PROFILE, state, List.of(), store.known(), events.get(split - 1).at()))
                        .as("seed %d, split %d", seed, split).contains(List.of());
                assertThat(next.saveState(PATIENT)).isEqualTo(state);
                for (Event e : events.subList(split, events.size())) {
                    signals.addAll(apply(next, store, e));
                }
                assertThat(signals).as("seed %d, split %d", seed, split).isEqualTo(whole);
            }
        }
    }

    @Test
    void readingsStoredAfterTheStateWasSavedAreTakenInSilently() {
        List<Event> events = threeWeeks(4);
        int saveAt = events.size() / 2;
        AlertStore store = new AlertStore();
        ClinicalEngine first = through(events, saveAt, store);
        byte[] state = first.saveState(PATIENT);
        // The node goes on for a while after it saved, signalling as it goes, then dies.
        List<Reading> tail = new ArrayList<>();
        int diesAt = saveAt;
        while (tail.size() < 200) {
            if (events.get(diesAt) instanceof Readings r) {
                apply(first, store, r);
                tail.addAll(r.readings());
            }
            diesAt++;
        }

        ClinicalEngine next = new ClinicalEngine(Fixtures.defaults());
        assertThat(next.resume(PROFILE, state, tail, store.known(), events.get(diesAt - 1).at())).contains(List.of());
        assertThat(next.saveState(PATIENT)).isEqualTo(first.saveState(PATIENT));
    }

    @Test
    void stateOfOtherRulesOrDamagedStateDoesNotFitAndChangesNothing() {
        List<Event> events = threeWeeks(5);
        AlertStore store = new AlertStore();
        ClinicalEngine first = through(events, 2_000, store);
        byte[] state = first.saveState(PATIENT);

        ClinicalRules defaults = Fixtures.defaults();
        ClinicalRules otherRules = new ClinicalRules(defaults.streamGap(), defaults.lateAfter(),
                defaults.lateHorizon().plusHours(1), defaults.zone(), defaults.rules());
        ClinicalEngine other = new ClinicalEngine(otherRules);
        assertThat(other.resume(PROFILE, state, List.of(), store.known(), Instant.now())).isEmpty();
        assertThat(other.patientCount()).isZero();

        ClinicalEngine same = new ClinicalEngine(Fixtures.defaults());
        assertThat(same.resume(PROFILE, Arrays.copyOf(state, state.length / 2), List.of(), store.known(),
                Instant.now())).isEmpty();
        assertThat(same.resume(PROFILE, new byte[0], List.of(), store.known(), Instant.now())).isEmpty();
        assertThat(same.patientCount()).isZero();
    }

    @Test
    void aRuleWhoseBandsTheCarePlanChangedStartsAfreshAsUnderARunningEngine() {
        List<Event> events = threeWeeks(6);
        int split = events.size() / 2;
        AlertStore store = new AlertStore();
        ClinicalEngine running = through(events, split, store);
        byte[] state = running.saveState(PATIENT);
        AlertStore resumedStore = store.copy();

        // The care plan lowers the sustained heart-rate band: that rule's run starts afresh, the others go on.
        PatientProfile stricter = PROFILE.withOverride("heart_rate_high_sustained", List.of(new Band(Severity.WARNING,
                List.of(new Threshold(Metric.HEART_RATE, Comparison.GT, 85)))));
        List<AlertSignal> live = new ArrayList<>(running.track(stricter));
        ClinicalEngine resumed = new ClinicalEngine(Fixtures.defaults());
        List<AlertSignal> afterResume = new ArrayList<>(
                resumed.resume(stricter, state, List.of(), store.known(), events.get(split - 1).at()).orElseThrow());
        assertThat(resumed.saveState(PATIENT)).isEqualTo(running.saveState(PATIENT));
        for (Event e : events.subList(split, events.size())) {
            live.addAll(apply(running, store, e, stricter));
            afterResume.addAll(apply(resumed, resumedStore, e, stricter));
        }
        assertThat(afterResume).isEqualTo(live);
        assertThat(live).filteredOn(s -> s.ruleId().equals("heart_rate_high_sustained")).isNotEmpty();
    }

    /**
     * Verifies that the text fingerprints are made of does not depend on the order a set iterates in ({@code Set.of}
     * is salted per JVM), so that every node of a cluster accepts the others' state.
     */
    @Test
    void theFingerprintTextIsTheSameWhateverOrderASetIterates() {
        Map<String, Object> forward = new LinkedHashMap<>();
        forward.put("conditions", new LinkedHashSet<>(List.of(Condition.COPD, Condition.DIABETES)));
        forward.put("severities", new LinkedHashSet<>(List.of(Severity.WARNING, Severity.CRITICAL)));
        Map<String, Object> backward = new LinkedHashMap<>();
        backward.put("severities", new LinkedHashSet<>(List.of(Severity.CRITICAL, Severity.WARNING)));
        backward.put("conditions", new LinkedHashSet<>(List.of(Condition.DIABETES, Condition.COPD)));

        assertThat(EngineState.canonical(forward)).isEqualTo(EngineState.canonical(backward));
        assertThat(EngineState.canonical(List.of(1, 2))).as("a list keeps its order")
                .isNotEqualTo(EngineState.canonical(List.of(2, 1)));
        assertThat(EngineState.canonical(Fixtures.defaults())).isEqualTo(EngineState.canonical(Fixtures.defaults()))
                .contains("appliesTo=[COPD]");
    }
}
