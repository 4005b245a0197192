package org.vigil.chronic.control;

import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.vigil.common.model.Condition;
import org.vigil.common.model.MeasurementContext;
import org.vigil.common.model.Metric;

/**
 * Decides the control status of one condition from home readings and the latest follow-up's office values. Pure:
 * the caller supplies the readings of the windows {@link #lookback()} covers and the evaluation time.
 *
 * <ul>
 *   <li>Hypertension: the mean of home readings of the last {@code bpWindow}, when there are at least
 *       {@code bpMinReadings} on {@code bpMinDays} days, against the band's home target (135/85); or, when a
 *       follow-up within {@code officeValidFor} took an office BP on a later day than the newest home reading (or
 *       home readings are too few), that value against the office target (140/90).
 *   <li>Type 2 diabetes: the mean of fasting home readings of the last {@code glucoseWindow} (non-fasting readings
 *       are ignored and counted), or a later follow-up's fasting glucose, below {@code fastingTarget}. Without any
 *       fasting value the status is unknown, never controlled.
 *   <li>COPD: home-monitoring status, the mean SpO2 of {@code spo2Window} at or above the target band's floor.
 *   <li>Heart failure: home-monitoring status, no gain above {@code weightGainKg} within {@code weightGainPeriod}
 *       up to the newest weight.
 * </ul>
 */
public final class ControlEvaluator {

    private final ControlRules rules;

    public ControlEvaluator(ControlRules rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    public ControlRules rules() {
        return rules;
    }

    /** How far back readings must reach for every condition. */
    public java.time.Duration lookback() {
        java.time.Duration d = java.time.Duration.ZERO;
        for (Condition condition : Condition.values()) {
            if (lookback(condition).compareTo(d) > 0) {
                d = lookback(condition);
            }
        }
        return d;
    }

    /** How far back the readings of the condition's {@link #metrics} must reach. */
    public java.time.Duration lookback(Condition condition) {
        return switch (condition) {
            case HYPERTENSION -> rules.bpWindow();
            case DIABETES -> rules.glucoseWindow();
            case COPD -> rules.spo2Window();
            case HEART_FAILURE -> rules.weightWindow().plus(rules.weightGainPeriod());
        };
    }

    /** The home metrics the condition's status is decided from. */
    public static java.util.Set<Metric> metrics(Condition condition) {
        return switch (condition) {
            case HYPERTENSION -> java.util.EnumSet.of(Metric.SYSTOLIC_BP, Metric.DIASTOLIC_BP);
            case DIABETES -> java.util.EnumSet.of(Metric.GLUCOSE);
            case COPD -> java.util.EnumSet.of(Metric.SPO2);
            case HEART_FAILURE -> java.util.EnumSet.of(Metric.BODY_WEIGHT);
        };
    }

    /**
     * @param age           the patient's age in years, or {@code null} when the registry does not know it
     * @param observations  home readings, any order, covering at least {@link #lookback()} before {@code now}
     * @param office        the newest follow-up that took office values, if any
     */
    public ControlResult evaluate(Condition condition, Integer age, List<Observation> observations,
            Optional<OfficeMeasurement> office, Instant now) {
        return switch (condition) {
            case HYPERTENSION -> hypertension(age, observations, office, now);
            case DIABETES -> diabetes(observations, office, now);
            case COPD -> copd(observations, now);
            case HEART_FAILURE -> heartFailure(observations, now);
        };
    }

    private ControlResult hypertension(Integer age, List<Observation> observations, Optional<OfficeMeasurement> office,
            Instant now) {
        Instant from = now.minus(rules.bpWindow());
        AgeBand band = rules.band(age);
        Mean sys = new Mean();
        Mean dia = new Mean();
        java.util.Set<LocalDate> days = new java.util.HashSet<>();
        Instant newest = null;
        for (Observation o : observations) {
            if (o.at().isBefore(from) || !o.at().isBefore(now)) {
                continue;
            }
            if (o.metric() == Metric.SYSTOLIC_BP) {
                sys.add(o.value());
                days.add(day(o.at()));
                newest = newest == null || o.at().isAfter(newest) ? o.at() : newest;
            } else if (o.metric() == Metric.DIASTOLIC_BP) {
                dia.add(o.value());
            }
        }
        boolean homeEnough = sys.n >= rules.bpMinReadings() && dia.n > 0 && days.size() >= rules.bpMinDays();
        Optional<OfficeMeasurement> bp = office.filter(OfficeMeasurement::hasBloodPressure)
                .filter(m -> !m.on().isBefore(day(now.minus(rules.officeValidFor()))) && !m.on().isAfter(day(now)));
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("policy", rules.policy());
        figures.put("homeReadings", sys.n);
        figures.put("homeDays", days.size());
        if (sys.n > 0 && dia.n > 0) {
            figures.put("homeMeanSystolic", round1(sys.mean()));
            figures.put("homeMeanDiastolic", round1(dia.mean()));
        }
        figures.put("homeTarget", band.home().toString());
        figures.put("officeTarget", band.office().toString());
        boolean officeDecides = bp.isPresent() && (!homeEnough || bp.get().on().isAfter(day(newest)));
        if (officeDecides) {
            OfficeMeasurement m = bp.get();
            figures.put("officeSystolic", m.systolic());
            figures.put("officeDiastolic", m.diastolic());
            figures.put("officeOn", m.on().toString());
            boolean met = band.office().met(m.systolic(), m.diastolic());
            return new ControlResult(Condition.HYPERTENSION, met ? ControlStatus.CONTROLLED : ControlStatus.UNCONTROLLED,
                    "office", figures, m.on().atStartOfDay(rules.zone()).toInstant(), now,
                    "office BP " + fmt(m.systolic()) + "/" + fmt(m.diastolic()) + " on " + m.on()
                            + (met ? " below " : " not below ") + band.office());
        }
        if (homeEnough) {
            boolean met = band.home().met(sys.mean(), dia.mean());
            return new ControlResult(Condition.HYPERTENSION, met ? ControlStatus.CONTROLLED : ControlStatus.UNCONTROLLED,
                    "home_mean", figures, from, now, "home mean " + fmt(round1(sys.mean())) + "/"
                            + fmt(round1(dia.mean())) + " of " + sys.n + " readings on " + days.size() + " days"
                            + (met ? " below " : " not below ") + band.home());
        }
        return new ControlResult(Condition.HYPERTENSION, ControlStatus.UNKNOWN, "none", figures, from, now,
                sys.n + " home BP readings on " + days.size() + " days in " + rules.bpWindow().toDays()
                        + " days (at least " + rules.bpMinReadings() + " on " + rules.bpMinDays()
                        + " days needed) and no office BP within " + rules.officeValidFor().toDays() + " days");
    }

    private ControlResult diabetes(List<Observation> observations, Optional<OfficeMeasurement> office, Instant now) {
        Instant from = now.minus(rules.glucoseWindow());
        Mean fasting = new Mean();
        int other = 0;
        Instant newest = null;
        for (Observation o : observations) {
            if (o.metric() != Metric.GLUCOSE || o.at().isBefore(from) || !o.at().isBefore(now)) {
                continue;
            }
            if (o.context() == MeasurementContext.FASTING) {
                fasting.add(o.value());
                newest = newest == null || o.at().isAfter(newest) ? o.at() : newest;
            } else {
                other++;
            }
        }
        Optional<OfficeMeasurement> fpg = office.filter(m -> m.fastingGlucose() != null)
                .filter(m -> !m.on().isBefore(day(now.minus(rules.officeValidFor()))) && !m.on().isAfter(day(now)));
        boolean homeEnough = fasting.n >= rules.glucoseMinReadings();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("fastingReadings", fasting.n);
        figures.put("otherGlucoseReadings", other);
        if (fasting.n > 0) {
            figures.put("fastingMean", round1(fasting.mean()));
        }
        figures.put("target", rules.fastingTarget());
        if (fpg.isPresent() && (!homeEnough || fpg.get().on().isAfter(day(newest)))) {
            OfficeMeasurement m = fpg.get();
            figures.put("officeFastingGlucose", m.fastingGlucose());
            figures.put("officeOn", m.on().toString());
            boolean met = m.fastingGlucose() < rules.fastingTarget();
            return new ControlResult(Condition.DIABETES, met ? ControlStatus.CONTROLLED : ControlStatus.UNCONTROLLED,
                    "office", figures, m.on().atStartOfDay(rules.zone()).toInstant(), now,
                    "fasting glucose " + fmt(m.fastingGlucose()) + " mmol/L at the follow-up of " + m.on()
                            + (met ? " below " : " not below ") + fmt(rules.fastingTarget()));
        }
        if (homeEnough) {
            boolean met = fasting.mean() < rules.fastingTarget();
            return new ControlResult(Condition.DIABETES, met ? ControlStatus.CONTROLLED : ControlStatus.UNCONTROLLED,
                    "home_mean", figures, from, now, "mean fasting glucose " + fmt(round1(fasting.mean()))
                            + " mmol/L of " + fasting.n + " readings" + (met ? " below " : " not below ")
                            + fmt(rules.fastingTarget()));
        }
        return new ControlResult(Condition.DIABETES, ControlStatus.UNKNOWN, "none", figures, from, now,
                "no fasting glucose in " + rules.glucoseWindow().toDays() + " days (" + other
                        + " readings without a fasting context do not decide control)");
    }

    private ControlResult copd(List<Observation> observations, Instant now) {
        Instant from = now.minus(rules.spo2Window());
        int n = 0;
        double sum = 0;
        for (Observation o : observations) {
            if (o.metric() == Metric.SPO2 && !o.at().isBefore(from) && o.at().isBefore(now)) {
                n++;
                sum += o.value();
            }
        }
        return copd(new ReadingTotals(n, sum), now);
    }

    /**
     * COPD from the totals of the SpO2 readings of {@code [now - spo2Window, now)}: the same status as from the
     * readings themselves, for a wearer's oximeter reports every minute (docs/chronic-care.md).
     */
    public ControlResult copd(ReadingTotals spo2, Instant now) {
        Instant from = now.minus(rules.spo2Window());
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("spo2Readings", spo2.count());
        if (spo2.count() > 0) {
            figures.put("spo2Mean", round1(spo2.mean()));
        }
        figures.put("spo2Floor", rules.spo2Low());
        if (spo2.count() < rules.spo2MinReadings()) {
            return new ControlResult(Condition.COPD, ControlStatus.UNKNOWN, "none", figures, from, now,
                    spo2.count() + " SpO2 readings (at least " + rules.spo2MinReadings() + " needed)");
        }
        boolean met = spo2.mean() >= rules.spo2Low();
        return new ControlResult(Condition.COPD, met ? ControlStatus.CONTROLLED : ControlStatus.UNCONTROLLED,
                "home_monitoring", figures, from, now, "home-monitoring status: mean SpO2 " + fmt(round1(spo2.mean()))
                        + " %" + (met ? " within" : " below") + " the target band (from " + fmt(rules.spo2Low())
                        + " %); not a diagnosis");
    }

    private ControlResult heartFailure(List<Observation> observations, Instant now) {
        Instant from = now.minus(rules.weightWindow());
        Observation newest = null;
        for (Observation o : observations) {
            if (o.metric() == Metric.BODY_WEIGHT && !o.at().isBefore(from) && o.at().isBefore(now)
                    && (newest == null || o.at().isAfter(newest.at()))) {
                newest = o;
            }
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("gainLimitKg", rules.weightGainKg());
        figures.put("gainPeriodDays", rules.weightGainPeriod().toDays());
        if (newest == null) {
            return new ControlResult(Condition.HEART_FAILURE, ControlStatus.UNKNOWN, "none", figures, from, now,
                    "no weight in " + rules.weightWindow().toDays() + " days");
        }
        Instant since = newest.at().minus(rules.weightGainPeriod());
        Double lowest = null;
        for (Observation o : observations) {
            if (o.metric() == Metric.BODY_WEIGHT && !o.at().isBefore(since) && o.at().isBefore(newest.at())) {
                lowest = lowest == null ? o.value() : Math.min(lowest, o.value());
            }
        }
        figures.put("latestKg", newest.value());
        figures.put("latestAt", newest.at().toString());
        if (lowest == null) {
            return new ControlResult(Condition.HEART_FAILURE, ControlStatus.UNKNOWN, "none", figures, since, now,
                    "no earlier weight within " + rules.weightGainPeriod().toDays() + " days of the newest");
        }
        double gain = round1(newest.value() - lowest);
        figures.put("gainKg", gain);
        boolean met = gain <= rules.weightGainKg();
        return new ControlResult(Condition.HEART_FAILURE, met ? ControlStatus.CONTROLLED : ControlStatus.UNCONTROLLED,
                "home_monitoring", figures, since, now, "home-monitoring status: weight " + (gain >= 0 ? "+" : "")
                        + fmt(gain) + " kg within " + rules.weightGainPeriod().toDays() + " days (limit "
                        + fmt(rules.weightGainKg()) + " kg); not a diagnosis");
    }

    private LocalDate day(Instant at) {
        return at == null ? LocalDate.MIN : LocalDate.ofInstant(at, rules.zone());
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static final class Mean {
        private int n;
        private double sum;

        void add(double v) {
            n++;
            sum += v;
        }

        double mean() {
            return sum / n;
        }
    }
}
