package org.vigil.alerting.clinical;

import org.vigil.common.model.Condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vigil.alerting.clinical.Fixtures.T0;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vigil.alerting.clinical.AlertSignal.Kind;
import org.vigil.common.model.Metric;
import org.vigil.common.model.Reading;

/**
 * A realistic week for four patients on one engine, generated from a fixed seed, delivered in receive-time order
 * with a tick every 15 minutes; verifies the exact alert timeline.
 *
 * <ul>
 *   <li>101, hypertension: cuff twice a day around 142/88 (7-day mean above 135/85), one reading of 184/112 on
 *       day 4, no measurement at all on day 5 (the cuff only connects to measure).</li>
 *   <li>102, heart failure and hypertension: a Wi-Fi scale that stays connected; weight gains 2.6 kg over days
 *       3-5 (fluid); no weighing on day 6. Normal daily blood pressure.</li>
 *   <li>103, COPD: finger oximeter (SpO2, pulse, respiratory rate) twice a day, a thermometer in the morning, and a
 *       wearable (SpO2 and pulse at 1 Hz, 23:00-06:00) whose phone uploads the night at 07:00. An exacerbation on
 *       day 5: a night around 87.5 % with a 40-minute desaturation to ~85 % and pulse ~106, then low saturation,
 *       fast breathing and fever in the spot checks of the day; recovery on day 6.</li>
 *   <li>104, diabetes: glucometer four times a day around 7.4 mmol/L, lows of 3.6, 2.8 and 3.7.</li>
 * </ul>
 */
@Timeout(60)
class WeekScenarioTest {

    private static final long SEED = 20260302L;
    private static List<AlertSignal> timeline;

    private record Delivery(Instant receivedAt, long order, Consumer<List<AlertSignal>> action) {
    }

    private static final class Week {
        final ClinicalEngine engine = new ClinicalEngine(Fixtures.defaults());
        final Random rnd = new Random(SEED);
        final List<Delivery> deliveries = new ArrayList<>();
        long order;

        void at(Instant receivedAt, Consumer<List<AlertSignal>> action) {
            deliveries.add(new Delivery(receivedAt, order++, action));
        }

        void readings(PatientProfile p, Instant receivedAt, List<Reading> readings) {
            at(receivedAt, out -> out.addAll(engine.onReadings(p, readings, receivedAt)));
        }

        /** One device's measurement, received 5 s later, with the device connected around it. */
        void measure(PatientProfile p, long device, Instant at, boolean connectsToMeasure, Object... metricValues) {
            List<Reading> readings = new ArrayList<>();
            for (int i = 0; i < metricValues.length; i += 2) {
                readings.add(new Reading(device, p.patientId(), (Metric) metricValues[i], at.toEpochMilli(),
                        ((Number) metricValues[i + 1]).doubleValue()));
            }
            if (connectsToMeasure) {
                connection(p, device, true, at.minusSeconds(30));
                connection(p, device, false, at.plusSeconds(60));
            }
            readings(p, at.plusSeconds(5), readings);
        }

        void connection(PatientProfile p, long device, boolean connected, Instant at) {
            at(at, out -> engine.onConnectionState(p.patientId(), device, connected, at));
        }

        Instant jitter(int day, int hour, int minute, int spreadMinutes) {
            return Fixtures.day(day, hour, minute).plusSeconds(rnd.nextInt(2 * spreadMinutes * 60 + 1) - spreadMinutes * 60L);
        }

        double gauss(double mean, double sd) {
            return mean + sd * rnd.nextGaussian();
        }

        List<AlertSignal> run() {
            for (Instant t = T0; t.isBefore(T0.plus(Duration.ofDays(7))); t = t.plus(Duration.ofMinutes(15))) {
                Instant now = t;
                at(now, out -> out.addAll(engine.onTick(now)));
            }
            deliveries.sort(Comparator.comparing(Delivery::receivedAt).thenComparingLong(Delivery::order));
            List<AlertSignal> out = new ArrayList<>();
            deliveries.forEach(d -> d.action().accept(out));
            return out;
        }
    }

    private static void hypertensive(Week w) {
        PatientProfile p = PatientProfile.of(101, T0, Condition.HYPERTENSION)
                .expecting(ExpectedMeasurement.every(Metric.SYSTOLIC_BP, Duration.ofHours(12)));
        w.at(T0, out -> out.addAll(w.engine.track(p)));
        for (int d = 0; d < 7; d++) {
            for (int hour : new int[] {7, 20}) {
                Instant at = w.jitter(d, hour, 0, 20);
                double sys = Math.round(w.gauss(142, 6));
                double dia = Math.round(w.gauss(88, 4));
                double pulse = Math.round(w.gauss(74, 5));
                if (d == 5) {
                    continue;
                }
                if (d == 4 && hour == 20) {
                    sys = 184;
                    dia = 112;
                }
                w.measure(p, 11, at, true, Metric.SYSTOLIC_BP, sys, Metric.DIASTOLIC_BP, dia, Metric.HEART_RATE, pulse);
            }
        }
    }

    private static void heartFailure(Week w) {
        PatientProfile p = PatientProfile.of(102, T0, Condition.HEART_FAILURE, Condition.HYPERTENSION)
                .expecting(ExpectedMeasurement.every(Metric.BODY_WEIGHT, Duration.ofDays(1)));
        w.at(T0, out -> out.addAll(w.engine.track(p)));
        w.connection(p, 21, true, T0.minusSeconds(60));
        double[] fluid = {0, 0, 0, 0.9, 1.8, 2.6};
        for (int d = 0; d < 7; d++) {
            Instant weighed = w.jitter(d, 7, 30, 10);
            double weight = Math.round(w.gauss(78.0, 0.15) * 10 + (d < 6 ? fluid[d] : 0) * 10) / 10.0;
            if (d < 6) {
                w.measure(p, 21, weighed, false, Metric.BODY_WEIGHT, weight);
            }
            w.measure(p, 22, w.jitter(d, 8, 0, 10), true, Metric.SYSTOLIC_BP, Math.round(w.gauss(128, 5)),
                    Metric.DIASTOLIC_BP, Math.round(w.gauss(78, 4)), Metric.HEART_RATE, Math.round(w.gauss(80, 4)));
        }
    }

    private static void copd(Week w) {
        PatientProfile p = PatientProfile.of(103, T0, Condition.COPD);
        w.at(T0, out -> out.addAll(w.engine.track(p)));
        double[] spotSpo2 = {92, 92, 92, 92, 89, 86, 89};
        for (int d = 0; d < 7; d++) {
            for (int hour : new int[] {9, 18}) {
                double spo2 = d == 5 && hour == 18 ? 87 : d == 6 && hour == 18 ? 90 : Math.round(w.gauss(spotSpo2[d], 0.6));
                double pulse = Math.round(w.gauss(d == 5 ? 96 : 84, 3));
                double resp = d == 5 ? 23 - (hour == 18 ? 1 : 0) : Math.round(w.gauss(16, 1));
                Instant at = w.jitter(d, hour, 0, 15);
                w.measure(p, 31, at, true, Metric.SPO2, spo2, Metric.HEART_RATE, pulse, Metric.RESP_RATE, resp);
                if (hour == 9) {
                    double temp = d == 5 ? 38.6 : Math.round(w.gauss(36.8, 0.2) * 10) / 10.0;
                    w.measure(p, 33, at.plusSeconds(300), true, Metric.BODY_TEMP, temp);
                }
            }
        }
        // Nights from day n 23:00 to day n+1 06:00, uploaded at 07:00.
        for (int n = -1; n < 6; n++) {
            Instant from = Fixtures.day(n, 23, 0);
            boolean exacerbation = n == 4;
            Instant desat = Fixtures.day(5, 2, 0);
            List<Reading> night = new ArrayList<>();
            for (int s = 0; s < 7 * 3600; s++) {
                Instant at = from.plusSeconds(s);
                boolean desaturated = exacerbation && !at.isBefore(desat) && at.isBefore(desat.plusSeconds(2400));
                double spo2 = desaturated ? w.gauss(85, 1.0) : w.gauss(exacerbation ? 87.5 : 91, 1.2);
                double pulse = desaturated ? w.gauss(106, 3) : w.gauss(72, 3);
                night.add(new Reading(32, 103, Metric.SPO2, at.toEpochMilli(), Math.min(100, Math.round(spo2))));
                night.add(new Reading(32, 103, Metric.HEART_RATE, at.toEpochMilli(), Math.round(pulse)));
            }
            Instant upload = Fixtures.day(n + 1, 7, 0);
            w.connection(p, 32, true, upload.minusSeconds(10));
            w.readings(p, upload, night);
            w.connection(p, 32, false, upload.plusSeconds(120));
        }
    }

    private static void diabetic(Week w) {
        PatientProfile p = PatientProfile.of(104, T0, Condition.DIABETES);
        w.at(T0, out -> out.addAll(w.engine.track(p)));
        int[][] times = {{7, 0}, {11, 30}, {17, 30}, {22, 0}};
        Map<String, Double> lows = Map.of("1/3", 3.6, "3/0", 2.8, "5/1", 3.7);
        for (int d = 0; d < 7; d++) {
            for (int i = 0; i < times.length; i++) {
                Instant at = w.jitter(d, times[i][0], times[i][1], 15);
                double glucose = Math.max(4.2, Math.round(w.gauss(7.4, 1.6) * 10) / 10.0);
                w.measure(p, 41, at, true, Metric.GLUCOSE, lows.getOrDefault(d + "/" + i, glucose));
            }
        }
    }

    @BeforeAll
    static void runTheWeek() {
        Week w = new Week();
        hypertensive(w);
        heartFailure(w);
        copd(w);
        diabetic(w);
        timeline = w.run();
    }

    private static String line(AlertSignal s) {
        return Instant.ofEpochMilli(s.measuredAt()) + " " + s.patientId() + " " + s.ruleId() + " " + s.kind() + " "
                + s.severity().wireName() + (s.late() ? " late" : "");
    }

    @Test
    void theWeeksEpisodesOpenWorsenAndClearExactlyWhenTheirEvidenceSaysSo() {
        assertThat(timeline.stream().filter(s -> s.kind() != Kind.UPDATE).map(WeekScenarioTest::line)).containsExactly(
                // 104: level 1 hypoglycaemia, cleared by the next two readings
                "2026-03-03T22:06:59Z 104 glucose_low OPEN warning",
                "2026-03-04T11:17:48Z 104 glucose_low CLEAR warning",
                // 101: sixth reading of a 7-day mean around 144/89
                "2026-03-04T19:41:03Z 101 bp_mean_high OPEN warning",
                // 104: level 2 hypoglycaemia is a new, critical episode; back in range it is only marked so and
                // stays open for the doctor (nobody resolves it this week)
                "2026-03-05T06:49:47Z 104 glucose_low OPEN critical",
                "2026-03-05T17:22:36Z 104 glucose_low BACK_IN_RANGE critical",
                "2026-03-06T20:04:07Z 101 blood_pressure_high OPEN critical",
                // 104: 2 lows in 20 readings
                "2026-03-06T21:46:14Z 104 glucose_low_share OPEN warning",
                // 103: the exacerbation night, uploaded at 07:00 on day 5, raised at measurement time and marked late
                "2026-03-06T23:05:02Z 103 spo2_low_sustained OPEN warning late",
                "2026-03-07T02:10:00Z 103 heart_rate_high_sustained OPEN warning late",
                "2026-03-07T02:51:00Z 103 heart_rate_high_sustained CLEAR warning late",
                "2026-03-07T05:00:00Z 103 spo2_baseline_drop OPEN warning late",
                // 102: 2.2 kg in 3 days
                "2026-03-07T07:32:39Z 102 weight_gain OPEN warning",
                // 103: SpO2 85 % is below the COPD target; NEWS2 on scale 2 is 5 with breathing at 23 /min
                "2026-03-07T08:47:54Z 103 spo2_low OPEN warning",
                "2026-03-07T08:47:54Z 103 news2 OPEN warning",
                // 101: nothing since day 4 20:04, due every 12 h with 6 h grace; the cuff never connected
                "2026-03-07T14:04:07Z 101 missing_systolic_bp OPEN warning",
                // 104: the level-1 low of 11:21 was recorded on the open critical alert (an UPDATE lifting the mark)
                "2026-03-07T21:46:48Z 104 glucose_low BACK_IN_RANGE critical",
                // 103: the recovery night, uploaded at 07:00 on day 6
                "2026-03-07T23:05:00Z 103 spo2_low_sustained CLEAR warning late",
                "2026-03-08T07:18:23Z 101 missing_systolic_bp CLEAR warning",
                "2026-03-08T08:52:06Z 103 spo2_baseline_drop CLEAR warning",
                "2026-03-08T08:52:06Z 103 news2 CLEAR warning",
                "2026-03-08T17:51:21Z 103 spo2_low CLEAR warning",
                // 102: the scale stayed connected, but nobody stepped on it on day 6
                "2026-03-08T19:32:39Z 102 missing_body_weight OPEN warning",
                // 101: the crisis of day 4 is back in range, and stays open for the doctor
                "2026-03-08T19:49:20Z 101 blood_pressure_high BACK_IN_RANGE critical");
    }

    @Test
    void continuingEpisodesAreUpdatedAtMostEveryFifteenMinutesEvenOnOneHertzStreams() {
        Map<String, Long> updates = new TreeMap<>();
        timeline.stream().filter(s -> s.kind() == Kind.UPDATE)
                .forEach(s -> updates.merge(s.patientId() + " " + s.ruleId(), 1L, Long::sum));
        assertThat(updates).containsExactly(
                Map.entry("101 bp_mean_high", 6L),
                Map.entry("103 heart_rate_high_sustained", 1L),
                Map.entry("103 spo2_baseline_drop", 11L),
                Map.entry("103 spo2_low", 1L),
                Map.entry("103 spo2_low_sustained", 27L),
                Map.entry("104 glucose_low", 1L),
                Map.entry("104 glucose_low_share", 8L));
    }

    @Test
    void theDetailsTellTheDoctorWhatHappened() {
        assertThat(detail("missing_systolic_bp", Kind.OPEN)).isEqualTo("no blood pressure for 18 h 10 min (expected every"
                + " 12 h); device silent: no connection since 2026-03-06 20:05Z");
        assertThat(detail("missing_body_weight", Kind.OPEN))
                .isEqualTo("no weight for 36 h (expected every 24 h); device connected, but nothing measured");
        assertThat(detail("weight_gain", Kind.OPEN)).isEqualTo("weight up 2.2 kg within 3 days (78.5 → 80.7 kg)");
        assertThat(detail("news2", Kind.OPEN)).isEqualTo("NEWS2 5 from 3 of 5 parameters: resp rate 23 → 2, SpO2 85 → 2,"
                + " pulse 94 → 1 (SpO2 scale 2); an aid at home, validated for acute care");
        assertThat(detail("bp_mean_high", Kind.OPEN))
                .isEqualTo("7-day mean 144.7/88.8 mmHg over 6 readings on 4 days (target below 135/85)");
    }

    private static String detail(String rule, Kind kind) {
        return timeline.stream().filter(s -> s.ruleId().equals(rule) && s.kind() == kind).findFirst().orElseThrow().detail();
    }
}
