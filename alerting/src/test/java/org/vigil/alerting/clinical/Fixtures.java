package org.vigil.alerting.clinical;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vigil.alerting.testing.BuiltInRules;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;
import org.vigil.common.model.Severity;

/** Shared test data: the built-in rules, a fixed start of time, and a patient feed that records signals. */
final class Fixtures {

    /** Monday 2 March 2026, 00:00 UTC. */
    static final Instant T0 = Instant.parse("2026-03-02T00:00:00Z");

    private Fixtures() {
    }

    static ClinicalRules defaults() {
        return BuiltInRules.RULES;
    }

    static Instant at(Duration offset) {
        return T0.plus(offset);
    }

    static Instant day(int day, int hour, int minute) {
        return T0.plus(Duration.ofDays(day).plusHours(hour).plusMinutes(minute));
    }

    /** One patient's devices feeding one engine; every reading is received when measured unless said otherwise. */
    static final class Feed {

        final ClinicalEngine engine;
        PatientProfile profile;
        final List<AlertSignal> signals = new ArrayList<>();

        Feed(ClinicalEngine engine, PatientProfile profile) {
            this.engine = engine;
            this.profile = profile;
        }

        Feed(PatientProfile profile) {
            this(new ClinicalEngine(defaults()), profile);
        }

        long patient() {
            return profile.patientId();
        }

        Reading reading(long device, Metric metric, Instant at, double value) {
            return new Reading(device, patient(), metric, at.toEpochMilli(), value);
        }

        /** One moment of one device: metric/value pairs. */
        List<AlertSignal> send(long device, Instant at, Object... metricValues) {
            return sendReceived(device, at, at, metricValues);
        }

        List<AlertSignal> sendReceived(long device, Instant at, Instant received, Object... metricValues) {
            List<Reading> readings = new ArrayList<>();
            for (int i = 0; i < metricValues.length; i += 2) {
                readings.add(reading(device, (Metric) metricValues[i], at, ((Number) metricValues[i + 1]).doubleValue()));
            }
            return record(engine.onReadings(profile, readings, received));
        }

        List<AlertSignal> bp(Instant at, double systolic, double diastolic) {
            return send(1, at, Metric.SYSTOLIC_BP, systolic, Metric.DIASTOLIC_BP, diastolic);
        }

        /** A 1 Hz stream of one metric from device 9: {@code seconds} samples starting at {@code from}. */
        List<AlertSignal> stream(Metric metric, Instant from, int seconds, double value) {
            List<AlertSignal> out = new ArrayList<>();
            for (int s = 0; s < seconds; s++) {
                out.addAll(send(9, from.plusSeconds(s), metric, value));
            }
            return out;
        }

        List<AlertSignal> tick(Instant now) {
            return record(engine.onTick(now));
        }

        List<AlertSignal> record(List<AlertSignal> batch) {
            signals.addAll(batch);
            return batch;
        }
    }

    /** A signal as a timeline line: "2026-03-02T07:00:00Z spo2_low OPEN warning". */
    static String line(AlertSignal s) {
        return Instant.ofEpochMilli(s.measuredAt()) + " " + s.ruleId() + " " + s.kind() + " " + s.severity().wireName()
                + (s.late() ? " late" : "");
    }

    static List<String> lines(List<AlertSignal> signals) {
        return signals.stream().map(Fixtures::line).toList();
    }

    /**
     * What the alert store holds after recording an engine's signals: the newest alert per rule, its severity the
     * worst while active. Doctors resolve through it.
     */
    static final class AlertStore {
        private final Map<String, KnownAlert> alerts = new LinkedHashMap<>();

        void record(List<AlertSignal> signals) {
            for (AlertSignal s : signals) {
                KnownAlert before = alerts.get(s.ruleId());
                boolean active = s.kind() != AlertSignal.Kind.CLEAR;
                Severity severity = before != null && before.active() && before.severity().worseThan(s.severity())
                        ? before.severity() : s.severity();
                alerts.put(s.ruleId(), new KnownAlert(s.ruleId(), severity, active, s.measuredAt()));
            }
        }

        void resolve(String rule) {
            KnownAlert a = alerts.get(rule);
            alerts.put(rule, new KnownAlert(rule, a.severity(), false, a.lastMeasuredAt()));
        }

        /** A doctor resolves the first active alert; returns its rule, or null when none is active. */
        String resolveOne() {
            for (KnownAlert a : alerts.values()) {
                if (a.active()) {
                    resolve(a.ruleId());
                    return a.ruleId();
                }
            }
            return null;
        }

        AlertStore copy() {
            AlertStore copy = new AlertStore();
            copy.alerts.putAll(alerts);
            return copy;
        }

        Collection<KnownAlert> known() {
            return List.copyOf(alerts.values());
        }
    }
}
